{ name = "{{env}}", value = aws_sqs_queue.{{id}}.url },
