# Gmail's watch publishes a notification per mailbox change to this topic.
resource "google_pubsub_topic" "gmail" {
  name = "${var.service_name}-gmail"

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic_iam_member" "gmail_publishes" {
  topic  = google_pubsub_topic.gmail.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:gmail-api-push@system.gserviceaccount.com"
}

# Pushes each notification to the service with the push account's OIDC token. The app answers
# 204 quickly; a 4xx/5xx is redelivered with backoff, then dead-lettered.
resource "google_pubsub_subscription" "gmail_push" {
  name                       = "${var.service_name}-gmail-push"
  topic                      = google_pubsub_topic.gmail.id
  ack_deadline_seconds       = 30
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = local.push_endpoint

    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = local.push_endpoint
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.gmail_dead_letter.id
    max_delivery_attempts = var.push_max_delivery_attempts
  }

  # Never expire: a quiet week must not delete the subscription.
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service.app,
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_service_account_iam_member.pubsub_agent_mints_push_tokens,
  ]
}

# Notifications the service refused 10 times, kept 7 days for inspection
# (gcloud pubsub subscriptions pull ...-gmail-dead-letter).
resource "google_pubsub_topic" "gmail_dead_letter" {
  name = "${var.service_name}-gmail-dead-letter"

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription" "gmail_dead_letter" {
  name                       = "${var.service_name}-gmail-dead-letter"
  topic                      = google_pubsub_topic.gmail_dead_letter.id
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering is done by Pub/Sub's service agent: it publishes to the dead-letter topic and
# acknowledges the original on the push subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.gmail_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  subscription = google_pubsub_subscription.gmail_push.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
