# {{name}}, declared at {{declared_at}}. Encrypted at rest with Google-managed keys.
resource "google_storage_bucket" "{{id}}" {
  name                        = "{{dns_name}}-${var.name_suffix}"
  location                    = var.bucket_location
  uniform_bucket_level_access = true
  public_access_prevention    = "{{^public}}enforced{{/public}}{{#public}}inherited{{/public}}"
  {{#versioning}}

  versioning {
    enabled = true
  }
  {{/versioning}}
  {{#expire_after_days}}

  lifecycle_rule {
    condition {
      age = {{expire_after_days}}
    }

    action {
      type = "Delete"
    }
  }
  {{/expire_after_days}}
  {{#cors_origins}}

  cors {
    origin          = {{cors_origins}}
    method          = ["GET", "PUT", "HEAD"]
    response_header = ["content-type", "etag"]
    max_age_seconds = 3000
  }
  {{/cors_origins}}
}
{{#public}}

# Public read, allowed in code by [assembly: AllowPublicBucket("{{name}}")].
resource "google_storage_bucket_iam_member" "{{id}}_public_read" {
  bucket = google_storage_bucket.{{id}}.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
{{/public}}
