output "public_url" {
  description = "The service's URL (PUBLIC_URL). Open it to sign in."
  value       = local.public_url
}

output "oauth_redirect_uri" {
  description = "The authorized redirect URI to enter in the OAuth client."
  value       = "${local.public_url}/auth/google/callback"
}

output "image_repository" {
  description = "Where to push the container image: docker push IMAGE_REPOSITORY:TAG, then apply with image_tag = TAG."
  value       = local.image_repository
}

output "google_client_secret_secret" {
  description = "Secret Manager secret that holds the OAuth client secret (add it as a version)."
  value       = google_secret_manager_secret.google_client_secret.secret_id
}

output "key_ring_secret" {
  description = "Secret Manager secret that holds the key ring JSON (add it as a version)."
  value       = google_secret_manager_secret.key_ring.secret_id
}

output "runtime_service_account" {
  description = "The identity the service runs as."
  value       = google_service_account.runtime.email
}

output "tasks_queue" {
  description = "The Cloud Tasks queue every task goes through (projects/P/locations/L/queues/Q)."
  value       = google_cloud_tasks_queue.work.id
}

output "gmail_topic" {
  description = "The Pub/Sub topic Gmail's watch publishes to (PUBSUB_TOPIC)."
  value       = google_pubsub_topic.gmail.id
}

output "dead_letter_subscription" {
  description = "Pull subscription holding notifications the service refused 10 times."
  value       = google_pubsub_subscription.gmail_dead_letter.id
}
