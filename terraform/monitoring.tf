# What the operator watches, from the service's JSON log lines (src/log.ts: `message` and
# structured fields) and from Pub/Sub's own metrics. GET /api/stats shows the same figures on
# demand; its `operator stats` line carries them as `jsonPayload.stats`.

locals {
  service_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.service_name}\""
}

# A run the service gave up on (src/http/task-routes.ts logs "run failed: ..." when it sets FAILED).
resource "google_logging_metric" "failed_runs" {
  name   = "${var.service_name}/failed_runs"
  filter = "${local.service_logs} AND jsonPayload.message=~\"^run failed\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

# Gmail units the whole project counted in the last minute, from the shared quota ledger.
resource "google_logging_metric" "gmail_project_units" {
  name            = "${var.service_name}/gmail_project_units_per_minute"
  filter          = "${local.service_logs} AND jsonPayload.message=\"operator stats\""
  value_extractor = "EXTRACT(jsonPayload.stats.gmail.projectUnitsLastMinute)"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "1"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 32
      growth_factor      = 2
      scale              = 1
    }
  }
}

resource "google_monitoring_notification_channel" "operators" {
  for_each = toset(var.alert_emails)

  display_name = "Clean That Up operator ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

# Failed runs and Gmail notifications the push subscription dead-lettered (refused 10 times).
resource "google_monitoring_alert_policy" "failures" {
  display_name          = "${var.service_name}: failed runs or dead-lettered notifications"
  combiner              = "OR"
  notification_channels = [for channel in google_monitoring_notification_channel.operators : channel.id]

  conditions {
    display_name = "Runs failed"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.failed_runs.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  conditions {
    display_name = "Notifications dead-lettered"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.gmail_push.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/dead_letter_message_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  depends_on = [google_project_service.apis]
}
