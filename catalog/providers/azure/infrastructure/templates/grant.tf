{{#object_actions}}
# What the code does on {{name}}, and only that.
resource "azurerm_role_definition" "{{id}}" {
  name        = "{{app}}-{{dns_name}}-${var.name_suffix}"
  scope       = azurerm_resource_group.app.id
  description = "{{app}} on {{name}}."

  permissions {
    data_actions = [
      {{object_actions}}
    ]
  }

  assignable_scopes = [azurerm_resource_group.app.id]
}

resource "azurerm_role_assignment" "{{id}}" {
  scope              = azurerm_storage_container.{{id}}.id
  role_definition_id = azurerm_role_definition.{{id}}.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.app.principal_id
}
{{/object_actions}}
