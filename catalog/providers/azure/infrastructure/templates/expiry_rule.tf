{{#expire_after_days}}
rule {
  name    = "{{dns_name}}-expiry"
  enabled = true

  filters {
    blob_types   = ["blockBlob"]
    prefix_match = ["{{dns_name}}/"]
  }

  actions {
    base_blob {
      delete_after_days_since_modification_greater_than = {{expire_after_days}}
    }
  }
}
{{/expire_after_days}}
