output "queue_{{id}}" {
  description = "The Pub/Sub topic and subscription of {{name}}, read by the app from {{env}}; its dead-letter pair is named the same with -dead-letters."
  value       = google_pubsub_subscription.{{id}}.name
}
