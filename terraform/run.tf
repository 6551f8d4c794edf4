# The service: web pages, sign-in, and the endpoints Cloud Tasks, Pub/Sub and Cloud Scheduler
# call. Every variable src/config.ts requires with MODE=gcp is set here (test/infra checks).
resource "google_cloud_run_v2_service" "app" {
  name     = var.service_name
  location = var.region
  ingress  = "INGRESS_TRAFFIC_ALL"

  template {
    service_account                  = google_service_account.runtime.email
    max_instance_request_concurrency = var.concurrency
    # A batch task may take up to its 15-minute dispatch deadline (DISPATCH_DEADLINE_SECONDS in
    # src/adapters/cloud-tasks/cloud-tasks-queue.ts): Cloud Run must not cut it off sooner.
    timeout = "900s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = local.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # CPU only while serving requests: the app does no work after it answers.
        cpu_idle          = true
        startup_cpu_boost = true
      }

      # The app reads the key ring from Secret Manager before it listens.
      startup_probe {
        period_seconds    = 2
        timeout_seconds   = 2
        failure_threshold = 15

        http_get {
          path = "/healthz"
        }
      }

      env {
        name  = "MODE"
        value = "gcp"
      }
      env {
        name  = "PUBLIC_URL"
        value = local.public_url
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      env {
        name  = "GOOGLE_CLIENT_ID"
        value = var.google_client_id
      }
      env {
        name = "GOOGLE_CLIENT_SECRET"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.google_client_secret.secret_id
            version = "latest"
          }
        }
      }
      env {
        name  = "KEYRING_SECRET"
        value = google_secret_manager_secret.key_ring.id
      }
      env {
        name  = "FIRESTORE_DATABASE"
        value = google_firestore_database.main.name
      }
      env {
        name  = "CLOUD_TASKS_LOCATION"
        value = google_cloud_tasks_queue.work.location
      }
      env {
        name  = "CLOUD_TASKS_QUEUE"
        value = google_cloud_tasks_queue.work.name
      }
      env {
        name  = "TASKS_INVOKER_SERVICE_ACCOUNT"
        value = google_service_account.tasks_invoker.email
      }
      env {
        name  = "TASKS_AUDIENCE"
        value = local.public_url
      }
      env {
        name  = "CRON_SERVICE_ACCOUNT"
        value = google_service_account.scheduler.email
      }
      env {
        name  = "PUBSUB_TOPIC"
        value = google_pubsub_topic.gmail.id
      }
      env {
        name  = "PUSH_SERVICE_ACCOUNT"
        value = google_service_account.push_invoker.email
      }
      env {
        name  = "PUSH_AUDIENCE"
        value = local.push_endpoint
      }
      env {
        name  = "OPERATOR_EMAILS"
        value = var.operator_emails
      }
      # A task or a notification failing on its last attempt is recorded for GET /api/stats.
      env {
        name  = "CLOUD_TASKS_MAX_ATTEMPTS"
        value = var.tasks_max_attempts
      }
      env {
        name  = "PUSH_MAX_DELIVERY_ATTEMPTS"
        value = var.push_max_delivery_attempts
      }

      dynamic "env" {
        for_each = var.extra_env
        content {
          name  = env.key
          value = env.value
        }
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.runtime_firestore,
    google_secret_manager_secret_iam_binding.google_client_secret_accessor,
    google_secret_manager_secret_iam_binding.key_ring_accessor,
  ]
}
