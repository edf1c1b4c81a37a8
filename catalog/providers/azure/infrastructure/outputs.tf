{{each_bucket_output}}
{{each_queue_output}}

output "storage_account_name" {
  description = "The storage account holding every bucket."
  value       = azurerm_storage_account.app.name
}

output "identity_client_id" {
  description = "The identity the application runs as."
  value       = azurerm_user_assigned_identity.app.client_id
}

output "app_url" {
  description = "The Container App's URL."
  value       = "https://${azurerm_container_app.app.ingress[0].fqdn}"
}
