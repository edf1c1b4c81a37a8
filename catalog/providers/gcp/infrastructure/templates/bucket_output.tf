output "bucket_{{id}}" {
  description = "The bucket of {{name}}, read by the app from {{env}}."
  value       = google_storage_bucket.{{id}}.name
}
