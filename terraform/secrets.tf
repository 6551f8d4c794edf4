# The secrets' values never pass through Terraform (nor its state): the operator adds them with
# `gcloud secrets versions add` (see README, Deploy). Only the runtime account may read them;
# the bindings are authoritative for the accessor role, so any other accessor is removed.

resource "google_secret_manager_secret" "google_client_secret" {
  secret_id = "${var.service_name}-google-client-secret"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

# The key ring document ({version: 1, current, keys: {id: base64 32 bytes}, macRoot}): the keys
# that encrypt refresh tokens and OpenAI keys, and the root of the email-hash and session MACs.
resource "google_secret_manager_secret" "key_ring" {
  secret_id = "${var.service_name}-key-ring"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_binding" "google_client_secret_accessor" {
  secret_id = google_secret_manager_secret.google_client_secret.id
  role      = "roles/secretmanager.secretAccessor"
  members   = ["serviceAccount:${google_service_account.runtime.email}"]
}

resource "google_secret_manager_secret_iam_binding" "key_ring_accessor" {
  secret_id = google_secret_manager_secret.key_ring.id
  role      = "roles/secretmanager.secretAccessor"
  members   = ["serviceAccount:${google_service_account.runtime.email}"]
}
