resource "azurerm_log_analytics_workspace" "app" {
  name                = "{{app}}-${var.name_suffix}"
  resource_group_name = azurerm_resource_group.app.name
  location            = azurerm_resource_group.app.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
}

resource "azurerm_container_app_environment" "app" {
  name                       = "{{app}}-${var.name_suffix}"
  resource_group_name        = azurerm_resource_group.app.name
  location                   = azurerm_resource_group.app.location
  log_analytics_workspace_id = azurerm_log_analytics_workspace.app.id
}

resource "azurerm_container_app" "app" {
  name                         = "{{app}}"
  container_app_environment_id = azurerm_container_app_environment.app.id
  resource_group_name          = azurerm_resource_group.app.name
  revision_mode                = "Single"

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }

  ingress {
    external_enabled = true
    target_port      = {{port}}

    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
    min_replicas = {{min_instances}}

    container {
      name   = "{{app}}"
      image  = var.image
      cpu    = {{cpu}}
      memory = "{{memory_gib}}Gi"

      env {
        name  = "AZURE_STORAGE_ACCOUNT_URL"
        value = azurerm_storage_account.app.primary_blob_endpoint
      }

      env {
        name  = "AZURE_CLIENT_ID"
        value = azurerm_user_assigned_identity.app.client_id
      }

      {{#any_queues}}
      env {
        name  = "AZURE_STORAGE_QUEUE_URL"
        value = azurerm_storage_account.app.primary_queue_endpoint
      }

      {{/any_queues}}
      {{each_environment}}
      {{each_queue_environment}}
    }
  }
}
