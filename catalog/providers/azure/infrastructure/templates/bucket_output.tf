output "bucket_{{id}}" {
  description = "The container of {{name}}, read by the app from {{env}}."
  value       = azurerm_storage_container.{{id}}.name
}
