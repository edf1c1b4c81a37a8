resource "google_cloud_run_v2_service" "app" {
  name                = "{{app}}"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = false

  template {
    service_account = google_service_account.app.email

    scaling {
      min_instance_count = {{min_instances}}
    }

    containers {
      image = var.image

      ports {
        container_port = {{port}}
      }

      resources {
        limits = {
          cpu    = "{{cpu_whole}}"
          memory = "{{memory_mib}}Mi"
        }
      }

      {{#any_queues}}
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project
      }

      {{/any_queues}}
      {{each_environment}}
      {{each_queue_environment}}
    }
  }
}
