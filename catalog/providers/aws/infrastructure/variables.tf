variable "region" {
  description = "The AWS region everything is created in."
  type        = string
  default     = "us-east-1"
}

variable "name_suffix" {
  description = "Appended to bucket and service names to make them globally unique, such as prod7f3a."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{1,8}$", var.name_suffix))
    error_message = "name_suffix must be 1 to 8 lower-case letters or digits."
  }
}

variable "image" {
  description = "The container image of {{app}}, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/{{app}}:1.0."
  type        = string
}
