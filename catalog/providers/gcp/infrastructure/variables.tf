variable "project" {
  description = "The Google Cloud project everything is created in."
  type        = string
}

variable "region" {
  description = "The region of the Cloud Run service."
  type        = string
  default     = "us-central1"
}

variable "bucket_location" {
  description = "Where the buckets keep their data: a region or a multi-region such as US."
  type        = string
  default     = "US"
}

variable "name_suffix" {
  description = "Appended to bucket, role and account names to make them globally unique, such as prod7f3a."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{1,8}$", var.name_suffix))
    error_message = "name_suffix must be 1 to 8 lower-case letters or digits."
  }
}

variable "image" {
  description = "The container image of {{app}}, such as us-docker.pkg.dev/my-project/apps/{{app}}:1.0."
  type        = string
}
