env {
  name  = "{{env}}"
  value = google_storage_bucket.{{id}}.name
}
