# Written by Infrar.Platform: where this environment's state is kept.
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}
