# {{name}}, declared at {{declared_at}}.
resource "aws_s3_bucket" "{{id}}" {
  bucket = "{{dns_name}}-${var.name_suffix}"
}

resource "aws_s3_bucket_public_access_block" "{{id}}" {
  bucket = aws_s3_bucket.{{id}}.id

  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = {{^public}}true{{/public}}{{#public}}false{{/public}}
  restrict_public_buckets = {{^public}}true{{/public}}{{#public}}false{{/public}}
}

resource "aws_s3_bucket_server_side_encryption_configuration" "{{id}}" {
  bucket = aws_s3_bucket.{{id}}.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
{{#versioning}}

resource "aws_s3_bucket_versioning" "{{id}}" {
  bucket = aws_s3_bucket.{{id}}.id

  versioning_configuration {
    status = "Enabled"
  }
}
{{/versioning}}
{{#expire_after_days}}

resource "aws_s3_bucket_lifecycle_configuration" "{{id}}" {
  bucket = aws_s3_bucket.{{id}}.id

  rule {
    id     = "expire-after-{{expire_after_days}}-days"
    status = "Enabled"

    filter {}

    expiration {
      days = {{expire_after_days}}
    }
  }
}
{{/expire_after_days}}
{{#cors_origins}}

resource "aws_s3_bucket_cors_configuration" "{{id}}" {
  bucket = aws_s3_bucket.{{id}}.id

  cors_rule {
    allowed_methods = ["GET", "PUT", "HEAD"]
    allowed_origins = {{cors_origins}}
    allowed_headers = ["content-type"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}
{{/cors_origins}}
{{#public}}

# Public read, allowed in code by [assembly: AllowPublicBucket("{{name}}")].
resource "aws_s3_bucket_policy" "{{id}}_public_read" {
  bucket     = aws_s3_bucket.{{id}}.id
  depends_on = [aws_s3_bucket_public_access_block.{{id}}]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.{{id}}.arn}/*"
      },
    ]
  })
}
{{/public}}
