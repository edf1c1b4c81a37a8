{{#object_actions}}
# What the code does on {{name}}, and only that.
resource "google_project_iam_custom_role" "{{id}}" {
  role_id = "infrar_{{role_app}}_{{id}}_${var.name_suffix}"
  title   = "{{app}} on {{name}}"
  permissions = [
    {{object_actions}}
  ]
}

resource "google_storage_bucket_iam_member" "{{id}}" {
  bucket = google_storage_bucket.{{id}}.name
  role   = google_project_iam_custom_role.{{id}}.name
  member = "serviceAccount:${google_service_account.app.email}"
}
{{/object_actions}}
