variable "subscription_id" {
  description = "The Azure subscription everything is created in."
  type        = string
}

variable "location" {
  description = "The Azure region everything is created in."
  type        = string
  default     = "eastus"
}

variable "name_suffix" {
  description = "Appended to the storage account and resource names to make them globally unique, such as prod7f3a."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{1,8}$", var.name_suffix))
    error_message = "name_suffix must be 1 to 8 lower-case letters or digits."
  }
}

variable "image" {
  description = "The container image of {{app}}, such as myregistry.azurecr.io/{{app}}:1.0."
  type        = string
}
