# The one queue the service uses (CLOUD_TASKS_QUEUE) for every task: plan, batch, sync, watch.
# Gmail's quota (6,000 units a minute per user, 1,200,000 per project) is kept by the shared
# quota ledger in Firestore, which every instance spends through; the queue's limits are set
# high enough that the quota, not dispatching, bounds the work (see variables.tf).
resource "google_cloud_tasks_queue" "work" {
  name     = "${var.service_name}-work"
  location = var.region

  rate_limits {
    max_dispatches_per_second = var.tasks_max_dispatches_per_second
    max_concurrent_dispatches = var.tasks_max_concurrent_dispatches
  }

  # 503 answers (Gmail or OpenAI unavailable) carry Retry-After, which Cloud Tasks honours;
  # otherwise the backoff doubles from 10 s up to 10 min.
  retry_config {
    max_attempts  = var.tasks_max_attempts
    min_backoff   = "10s"
    max_backoff   = "600s"
    max_doublings = 6
  }

  depends_on = [google_project_service.apis]
}
