variable "local_root" {
  description = "The folder holding the local buckets; the app reads the same folder from INFRAR_LOCAL_ROOT."
  type        = string
  default     = null
}
