{{#queue_actions}}
{
  Sid    = "{{sid}}Queue"
  Effect = "Allow"
  Action = [
    {{queue_actions}}
  ]
  Resource = aws_sqs_queue.{{id}}.arn
},
{{/queue_actions}}
{{#dead_letter_actions}}
{
  Sid    = "{{sid}}DeadLetters"
  Effect = "Allow"
  Action = [
    {{dead_letter_actions}}
  ]
  Resource = aws_sqs_queue.{{id}}_dead_letters.arn
},
{{/dead_letter_actions}}
