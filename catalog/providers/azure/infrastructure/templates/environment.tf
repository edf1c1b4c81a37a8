env {
  name  = "{{env}}"
  value = azurerm_storage_container.{{id}}.name
}
