{{#any_queues}}
# The project's number names the Pub/Sub service agent, which moves messages past a delivery limit.
data "google_project" "app" {
  project_id = var.project
}

{{/any_queues}}
{{each_queue}}
