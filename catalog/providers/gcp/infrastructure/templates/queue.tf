# {{name}}, declared at {{declared_at}}: a topic and the app's pull subscription, and a dead-letter pair where a
# message delivered {{max_deliveries}} times without being completed goes. Pub/Sub leases 10 to 600 seconds, keeps
# messages 10 minutes to 7 days and counts 5 to 100 deliveries; the app moves a message past a smaller limit itself.
resource "google_pubsub_topic" "{{id}}" {
  name                       = "{{queue_name}}-${var.name_suffix}"
  message_retention_duration = "{{retention_seconds_from_600}}s"
}

resource "google_pubsub_subscription" "{{id}}" {
  name                       = "{{queue_name}}-${var.name_suffix}"
  topic                      = google_pubsub_topic.{{id}}.id
  ack_deadline_seconds       = {{visibility_timeout_seconds_from_10}}
  message_retention_duration = "{{retention_seconds_from_600}}s"

  expiration_policy {
    ttl = ""
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.{{id}}_dead_letters.id
    max_delivery_attempts = {{max_deliveries_from_5}}
  }
}

resource "google_pubsub_topic" "{{id}}_dead_letters" {
  name                       = "{{queue_name}}-${var.name_suffix}-dead-letters"
  message_retention_duration = "604800s"
}

resource "google_pubsub_subscription" "{{id}}_dead_letters" {
  name                       = "{{queue_name}}-${var.name_suffix}-dead-letters"
  topic                      = google_pubsub_topic.{{id}}_dead_letters.id
  ack_deadline_seconds       = {{visibility_timeout_seconds_from_10}}
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

# Pub/Sub's service agent moves messages to the dead-letter topic: it publishes there and acknowledges here.
resource "google_pubsub_topic_iam_member" "{{id}}_dead_letters_agent" {
  topic  = google_pubsub_topic.{{id}}_dead_letters.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:service-${data.google_project.app.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "{{id}}_agent" {
  subscription = google_pubsub_subscription.{{id}}.id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.app.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}
