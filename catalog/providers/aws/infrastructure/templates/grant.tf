{{#object_actions}}
{
  Sid    = "{{sid}}Objects"
  Effect = "Allow"
  Action = [
    {{object_actions}}
  ]
  Resource = "${aws_s3_bucket.{{id}}.arn}/*"
},
{{/object_actions}}
{{#bucket_actions}}
{
  Sid    = "{{sid}}Bucket"
  Effect = "Allow"
  Action = [
    {{bucket_actions}}
  ]
  Resource = aws_s3_bucket.{{id}}.arn
},
{{/bucket_actions}}
