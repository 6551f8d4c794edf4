locals {
  # Cloud Run's deterministic URL, known before the service exists, so the service, the push
  # subscription and the scheduler job can all name it without a dependency cycle.
  public_url = "https://${var.service_name}-${data.google_project.this.number}.${var.region}.run.app"

  # Pub/Sub pushes Gmail's notifications here; the app checks this audience in the OIDC token.
  push_endpoint = "${local.public_url}/push/gmail"

  image_repository = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/${var.service_name}"
  image            = "${local.image_repository}:${var.image_tag}"

  # Google's own agent that delivers push messages and forwards messages to the dead-letter topic.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_artifact_registry_repository" "images" {
  repository_id = var.service_name
  location      = var.region
  format        = "DOCKER"
  description   = "Container images of ${var.service_name}."

  depends_on = [google_project_service.apis]
}
