# The application's own identity: Cloud Run runs it as this account, which may do only what the code does.
resource "google_service_account" "app" {
  account_id   = "{{account_id}}-${var.name_suffix}"
  display_name = "{{app}} (Infrar)"
}

{{each_grant}}
{{each_queue_grant}}
{{#self_actions}}

# Signing URLs through the metadata server signs with this account itself.
resource "google_project_iam_custom_role" "sign" {
  role_id = "infrar_{{role_app}}_sign_${var.name_suffix}"
  title   = "{{app}}: sign URLs"
  permissions = [
    {{self_actions}}
  ]
}

resource "google_service_account_iam_member" "sign" {
  service_account_id = google_service_account.app.name
  role               = google_project_iam_custom_role.sign.name
  member             = "serviceAccount:${google_service_account.app.email}"
}
{{/self_actions}}
