# Written by Infrar.Platform: where this environment's state is kept.
terraform {
  backend "gcs" {
    bucket = {{bucket}}
    prefix = {{prefix}}
  }
}
