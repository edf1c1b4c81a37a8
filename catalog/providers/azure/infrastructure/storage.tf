resource "azurerm_resource_group" "app" {
  name     = "{{app}}-${var.name_suffix}"
  location = var.location
}

# Every bucket is a container of this account: encrypted at rest (twice), TLS 1.2 only, HTTPS only.
resource "azurerm_storage_account" "app" {
  name                              = "{{account_prefix}}${var.name_suffix}"
  resource_group_name               = azurerm_resource_group.app.name
  location                          = azurerm_resource_group.app.location
  account_tier                      = "Standard"
  account_replication_type          = "LRS"
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  infrastructure_encryption_enabled = true
  allow_nested_items_to_be_public   = {{any_public}}

  blob_properties {
    versioning_enabled = {{any_versioning}}
    {{#all_cors_origins}}

    cors_rule {
      allowed_methods    = ["GET", "PUT", "HEAD"]
      allowed_origins    = {{all_cors_origins}}
      allowed_headers    = ["content-type", "x-ms-blob-type"]
      exposed_headers    = ["etag"]
      max_age_in_seconds = 3000
    }
    {{/all_cors_origins}}
  }
}

{{each_bucket}}
{{#each_expiry_rule}}

resource "azurerm_storage_management_policy" "app" {
  storage_account_id = azurerm_storage_account.app.id

  {{each_expiry_rule}}
}
{{/each_expiry_rule}}
