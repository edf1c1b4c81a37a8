# Written by Infrar.Platform: where this environment's state is kept.
terraform {
  backend "s3" {
    bucket       = {{bucket}}
    key          = {{key}}
    region       = {{region}}
    use_lockfile = true
  }
}
