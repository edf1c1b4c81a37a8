# {{name}}, declared at {{declared_at}}: messages delivered {{max_deliveries}} times without being completed move to
# its dead-letter queue, kept the longest SQS allows (14 days).
resource "aws_sqs_queue" "{{id}}_dead_letters" {
  name                      = "{{queue_name}}-${var.name_suffix}-dead-letters"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "{{id}}" {
  name                       = "{{queue_name}}-${var.name_suffix}"
  visibility_timeout_seconds = {{visibility_timeout_seconds}}
  message_retention_seconds  = {{retention_seconds}}
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.{{id}}_dead_letters.arn
    maxReceiveCount     = {{max_deliveries}}
  })
}
