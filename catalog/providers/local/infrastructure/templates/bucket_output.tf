output "bucket_{{id}}" {
  description = "The folder of bucket {{name}}."
  value       = terraform_data.bucket_{{id}}.output
}
