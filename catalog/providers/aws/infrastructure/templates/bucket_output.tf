output "bucket_{{id}}" {
  description = "The S3 bucket of {{name}}, read by the app from {{env}}."
  value       = aws_s3_bucket.{{id}}.bucket
}
