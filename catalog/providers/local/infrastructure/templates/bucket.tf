# {{name}}, declared at {{declared_at}}.
resource "terraform_data" "bucket_{{id}}" {
  input = "${local.root}/{{name}}"

  provisioner "local-exec" {
    interpreter = ["mkdir", "-p", "--"]
    command     = self.input
  }
}
