# Renews Gmail watches before they expire and queues catch-up syncs for quiet mailboxes. The
# endpoint only reads Firestore and enqueues tasks, so it answers within seconds.
resource "google_cloud_scheduler_job" "renew_watches" {
  name             = "${var.service_name}-renew-watches"
  region           = var.region
  schedule         = var.renewal_schedule
  time_zone        = var.renewal_time_zone
  attempt_deadline = "180s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
    max_backoff_duration = "300s"
  }

  http_target {
    http_method = "POST"
    uri         = "${local.public_url}/cron/renew-watches"

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.public_url
    }
  }

  depends_on = [google_cloud_run_v2_service.app]
}
