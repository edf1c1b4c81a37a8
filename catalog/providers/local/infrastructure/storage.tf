# Each bucket's folder is made by mkdir itself, not a shell, so a folder name is only ever a name.
locals {
  root = coalesce(var.local_root, pathexpand("~/.local/share/infrar/storage"))
}

{{each_bucket}}
