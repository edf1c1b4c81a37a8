{{#queue_actions}}
# What the code does on {{name}}, and only that: sending is not receiving.
resource "azurerm_role_definition" "{{id}}_queue" {
  name        = "{{app}}-{{dns_name}}-queue-${var.name_suffix}"
  scope       = azurerm_resource_group.app.id
  description = "{{app}} on queue {{name}}."

  permissions {
    data_actions = [
      {{queue_actions}}
    ]
  }

  assignable_scopes = [azurerm_resource_group.app.id]
}

resource "azurerm_role_assignment" "{{id}}_queue" {
  scope              = azurerm_storage_queue.{{id}}.id
  role_definition_id = azurerm_role_definition.{{id}}_queue.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.app.principal_id
}
{{/queue_actions}}
{{#dead_letter_actions}}

# What the code does on the dead-letter queue of {{name}}.
resource "azurerm_role_definition" "{{id}}_dead_letters" {
  name        = "{{app}}-{{dns_name}}-dead-letters-${var.name_suffix}"
  scope       = azurerm_resource_group.app.id
  description = "{{app}} on the dead-letter queue of {{name}}."

  permissions {
    data_actions = [
      {{dead_letter_actions}}
    ]
  }

  assignable_scopes = [azurerm_resource_group.app.id]
}

resource "azurerm_role_assignment" "{{id}}_dead_letters" {
  scope              = azurerm_storage_queue.{{id}}_dead_letters.id
  role_definition_id = azurerm_role_definition.{{id}}_dead_letters.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.app.principal_id
}
{{/dead_letter_actions}}
