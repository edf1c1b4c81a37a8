# {{name}}, declared at {{declared_at}}, and its dead-letter queue, where the app moves a message delivered
# {{max_deliveries}} times without being completed. Each message's lease and lifetime are set by the app's calls.
resource "azurerm_storage_queue" "{{id}}" {
  name               = "{{dns_name}}"
  storage_account_id = azurerm_storage_account.app.id
}

resource "azurerm_storage_queue" "{{id}}_dead_letters" {
  name               = "{{dns_name}}-dead-letters"
  storage_account_id = azurerm_storage_account.app.id
}
