env {
  name  = "{{env}}"
  value = azurerm_storage_queue.{{id}}.name
}
