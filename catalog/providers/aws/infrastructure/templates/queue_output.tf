output "queue_{{id}}" {
  description = "The SQS queue URL of {{name}}, read by the app from {{env}}; its dead-letter queue's is the same with -dead-letters."
  value       = aws_sqs_queue.{{id}}.url
}
