# Written by Infrar.Platform: where this environment's state is kept.
terraform {
  backend "azurerm" {
    resource_group_name  = {{resource_group_name}}
    storage_account_name = {{storage_account_name}}
    container_name       = {{container_name}}
    key                  = {{key}}
  }
}
