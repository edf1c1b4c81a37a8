{ name = "{{env}}", value = aws_s3_bucket.{{id}}.bucket },
