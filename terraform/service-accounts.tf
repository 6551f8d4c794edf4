# One identity per caller, each with only what it needs. The service is public (its web pages
# are for everyone), so Cloud Run's IAM check cannot tell callers apart: the app itself checks
# every call to /tasks, /push and /cron for a Google-signed OIDC token naming one of these
# accounts and the audience it expects.

resource "google_service_account" "runtime" {
  account_id   = "clean-that-up-run"
  display_name = "Clean That Up: the Cloud Run service"

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "tasks_invoker" {
  account_id   = "clean-that-up-tasks"
  display_name = "Clean That Up: Cloud Tasks calling /tasks/*"

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "push_invoker" {
  account_id   = "clean-that-up-push"
  display_name = "Clean That Up: Pub/Sub pushing to /push/gmail"

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "scheduler" {
  account_id   = "clean-that-up-cron"
  display_name = "Clean That Up: Cloud Scheduler calling /cron/*"

  depends_on = [google_project_service.apis]
}

# Runtime: read and write Firestore documents (no index or database administration).
resource "google_project_iam_member" "runtime_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

# Runtime: create tasks on its one queue, and nothing else in Cloud Tasks.
resource "google_cloud_tasks_queue_iam_member" "runtime_enqueuer" {
  name     = google_cloud_tasks_queue.work.name
  location = google_cloud_tasks_queue.work.location
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.runtime.email}"
}

# Runtime: name the task invoker in a task's oidcToken (iam.serviceAccounts.actAs on that one
# account), so Cloud Tasks mints the invoker's token for each call.
resource "google_service_account_iam_member" "runtime_acts_as_tasks_invoker" {
  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.runtime.email}"
}

# Pub/Sub's service agent mints the push account's OIDC tokens. Projects created since
# April 2021 grant this through the agent's own role; older ones need it here.
resource "google_service_account_iam_member" "pubsub_agent_mints_push_tokens" {
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent

  depends_on = [google_project_service.apis]
}

# The three callers may invoke the service. Redundant while the service is public, but it keeps
# them working if public access is ever removed (e.g. the pages moved behind a load balancer).
resource "google_cloud_run_v2_service_iam_member" "invokers" {
  for_each = {
    tasks     = google_service_account.tasks_invoker.email
    push      = google_service_account.push_invoker.email
    scheduler = google_service_account.scheduler.email
  }

  name     = google_cloud_run_v2_service.app.name
  location = google_cloud_run_v2_service.app.location
  role     = "roles/run.invoker"
  member   = "serviceAccount:${each.value}"
}

# Anyone may load the pages and sign in; the app authenticates every request itself.
resource "google_cloud_run_v2_service_iam_member" "public" {
  name     = google_cloud_run_v2_service.app.name
  location = google_cloud_run_v2_service.app.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}
