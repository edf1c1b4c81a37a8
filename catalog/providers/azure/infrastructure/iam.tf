# The application's own identity: the Container App runs as it, and it may do only what the code does.
resource "azurerm_user_assigned_identity" "app" {
  name                = "{{app}}-${var.name_suffix}"
  resource_group_name = azurerm_resource_group.app.name
  location            = azurerm_resource_group.app.location
}

{{each_grant}}
{{each_queue_grant}}
{{#account_actions}}

# Signing URLs without an account key needs a user delegation key, asked of the whole account.
resource "azurerm_role_definition" "delegation" {
  name        = "{{app}}-delegation-${var.name_suffix}"
  scope       = azurerm_resource_group.app.id
  description = "{{app}}: sign URLs with user delegation keys."

  permissions {
    actions = [
      {{account_actions}}
    ]
  }

  assignable_scopes = [azurerm_resource_group.app.id]
}

resource "azurerm_role_assignment" "delegation" {
  scope              = azurerm_storage_account.app.id
  role_definition_id = azurerm_role_definition.delegation.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.app.principal_id
}
{{/account_actions}}
