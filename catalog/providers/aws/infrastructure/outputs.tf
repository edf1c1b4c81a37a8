{{each_bucket_output}}
{{each_queue_output}}

output "app_role_arn" {
  description = "The role the application runs as."
  value       = aws_iam_role.app.arn
}

output "service_name" {
  description = "The ECS service running the application."
  value       = aws_ecs_service.app.name
}
