{{#queue_topic_actions}}
# What the code does on the topic of {{name}}, and only that: sending is not receiving.
resource "google_project_iam_custom_role" "{{id}}_topic" {
  role_id = "infrar_{{role_app}}_{{id}}_topic_${var.name_suffix}"
  title   = "{{app}} on the topic of {{name}}"
  permissions = [
    {{queue_topic_actions}}
  ]
}

resource "google_pubsub_topic_iam_member" "{{id}}_topic" {
  topic  = google_pubsub_topic.{{id}}.id
  role   = google_project_iam_custom_role.{{id}}_topic.name
  member = "serviceAccount:${google_service_account.app.email}"
}
{{/queue_topic_actions}}

{{#queue_actions}}
# What the code does on the subscription of {{name}}.
resource "google_project_iam_custom_role" "{{id}}_subscription" {
  role_id = "infrar_{{role_app}}_{{id}}_subscription_${var.name_suffix}"
  title   = "{{app}} on the subscription of {{name}}"
  permissions = [
    {{queue_actions}}
  ]
}

resource "google_pubsub_subscription_iam_member" "{{id}}_subscription" {
  subscription = google_pubsub_subscription.{{id}}.id
  role   = google_project_iam_custom_role.{{id}}_subscription.name
  member = "serviceAccount:${google_service_account.app.email}"
}
{{/queue_actions}}

{{#dead_letter_topic_actions}}
# What the code does on the dead-letter topic of {{name}}.
resource "google_project_iam_custom_role" "{{id}}_dead_letter_topic" {
  role_id = "infrar_{{role_app}}_{{id}}_dead_letter_topic_${var.name_suffix}"
  title   = "{{app}} on the dead-letter topic of {{name}}"
  permissions = [
    {{dead_letter_topic_actions}}
  ]
}

resource "google_pubsub_topic_iam_member" "{{id}}_dead_letter_topic" {
  topic  = google_pubsub_topic.{{id}}_dead_letters.id
  role   = google_project_iam_custom_role.{{id}}_dead_letter_topic.name
  member = "serviceAccount:${google_service_account.app.email}"
}
{{/dead_letter_topic_actions}}

{{#dead_letter_actions}}
# What the code does on the dead-letter subscription of {{name}}.
resource "google_project_iam_custom_role" "{{id}}_dead_letter_subscription" {
  role_id = "infrar_{{role_app}}_{{id}}_dead_letter_subscription_${var.name_suffix}"
  title   = "{{app}} on the dead-letter subscription of {{name}}"
  permissions = [
    {{dead_letter_actions}}
  ]
}

resource "google_pubsub_subscription_iam_member" "{{id}}_dead_letter_subscription" {
  subscription = google_pubsub_subscription.{{id}}_dead_letters.id
  role   = google_project_iam_custom_role.{{id}}_dead_letter_subscription.name
  member = "serviceAccount:${google_service_account.app.email}"
}
{{/dead_letter_actions}}
