{{each_bucket_output}}
{{each_queue_output}}

output "service_account_email" {
  description = "The account the application runs as."
  value       = google_service_account.app.email
}

output "service_url" {
  description = "The Cloud Run service's URL."
  value       = google_cloud_run_v2_service.app.uri
}
