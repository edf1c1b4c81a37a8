# {{name}}, declared at {{declared_at}}.
resource "azurerm_storage_container" "{{id}}" {
  name                  = "{{dns_name}}"
  storage_account_id    = azurerm_storage_account.app.id
  container_access_type = "{{^public}}private{{/public}}{{#public}}blob{{/public}}"
}
