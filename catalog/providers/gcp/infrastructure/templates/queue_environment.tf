env {
  name  = "{{env}}"
  value = google_pubsub_subscription.{{id}}.name
}
