# The application's own identity: ECS tasks run as this role, which may do only what the code does.
resource "aws_iam_role" "app" {
  name = "{{app}}-${var.name_suffix}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
  })
}
{{#any_grants}}

# Each action lists the call sites that need it.
resource "aws_iam_role_policy" "app_storage" {
  name = "storage"
  role = aws_iam_role.app.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {{each_grant}}
    ]
  })
}
{{/any_grants}}
{{#any_queue_grants}}

# Each action lists the call sites that need it: sending is not receiving, and only receivers complete or abandon.
resource "aws_iam_role_policy" "app_queues" {
  name = "queues"
  role = aws_iam_role.app.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {{each_queue_grant}}
    ]
  })
}
{{/any_queue_grants}}

# ECS pulls the image and writes logs with this role; the application never holds it.
resource "aws_iam_role" "execution" {
  name = "{{app}}-execution-${var.name_suffix}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}
