variable "project_id" {
  description = "The Google Cloud project to deploy into (its id, not its number). The OAuth client must belong to this project too: Gmail's watch publishes only to topics of the same project."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run service, the Cloud Tasks queue, the Cloud Scheduler job and the Artifact Registry repository."
  type        = string
  default     = "europe-west1"
}

variable "service_name" {
  description = "Name of the Cloud Run service; also the prefix of the queue, topics, secrets and repository. The public URL is https://SERVICE_NAME-PROJECT_NUMBER.REGION.run.app, which exists only while SERVICE_NAME-PROJECT_NUMBER fits a 63-character DNS label."
  type        = string
  default     = "clean-that-up"

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.service_name))
    error_message = "service_name must be lowercase letters, digits and hyphens, start with a letter, and be at most 40 characters."
  }
}

variable "image_tag" {
  description = "Tag of the container image in this deployment's Artifact Registry repository (see the image_repository output). A new tag deploys a new revision; reusing a tag does not."
  type        = string
}

variable "google_client_id" {
  description = "OAuth 2.0 client id (Web application) created in this project's Google Auth Platform, with the redirect URI from the oauth_redirect_uri output. Its secret goes into the Secret Manager secret named by the google_client_secret_secret output, never into Terraform."
  type        = string
}

variable "firestore_database" {
  description = "Firestore database id (native mode). Keep (default) unless the project already uses it for something else."
  type        = string
  default     = "(default)"
}

variable "firestore_location" {
  description = "Firestore location (a region such as europe-west1, or a multi-region such as eur3). Null means the same region as the service. Cannot be changed after creation."
  type        = string
  default     = null
}

variable "min_instances" {
  description = "Cloud Run instances kept warm. 0 costs nothing when idle; 1 avoids a cold start on the first sign-in or notification."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Upper bound on Cloud Run instances. Every instance spends the same Gmail budget through the shared quota ledger in Firestore, so more instances never pass Gmail's quota; max_instances x concurrency must hold every task the queue may run at once (tasks_max_concurrent_dispatches) plus sign-ins and pushes. test/infra checks the arithmetic. 40: a full scan with the rules spends 1.4-1.8 ms of CPU per message (npx tsx bench/run.ts --multi-instance), so 1,000 users x 1,500 messages need 30-35 vCPUs to finish within the 1.3 minutes the project quota allows; instances scale to zero when idle."
  type        = number
  default     = 40
}

variable "concurrency" {
  description = "Requests one instance serves at once. Tasks mostly wait on Gmail (the quota ledger) and OpenAI, so one instance can hold many."
  type        = number
  default     = 80
}

variable "cpu" {
  description = "CPUs per Cloud Run instance."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory per Cloud Run instance. A batch holds the metadata of at most 500 messages."
  type        = string
  default     = "1Gi"
}

variable "tasks_max_dispatches_per_second" {
  description = "Cloud Tasks dispatch rate of the work queue. Gmail's project quota is 20,000 units a second and the cheapest tasks (a sender's batch decided from its samples) cost a few units, so no rate Cloud Tasks allows (at most 500 a second) can outrun the quota: the shared quota ledger holds the spend, and the rate only must not be the bound. test/infra checks the arithmetic."
  type        = number
  default     = 500
}

variable "tasks_max_concurrent_dispatches" {
  description = "Tasks running at once (Cloud Tasks allows 5,000 per queue). One user spends at most 6,000 units a minute, so filling the project's 1,200,000 takes at least 200 users' tasks at once; 1,000 leaves five per busy user for listing, deciding and trashing to overlap."
  type        = number
  default     = 1000
}

variable "push_max_delivery_attempts" {
  description = "Deliveries of one Gmail notification before the push subscription dead-letters it (Pub/Sub allows 5 to 100). The service is told too, so that it records a last delivery that failed for GET /api/stats."
  type        = number
  default     = 10
}

variable "tasks_max_attempts" {
  description = "Attempts per task before Cloud Tasks drops it. With backoff from 10 s to 10 min, 100 attempts cover about 16 hours of Gmail or OpenAI being unavailable."
  type        = number
  default     = 100
}

variable "renewal_schedule" {
  description = "Cron schedule of POST /cron/renew-watches. Each call queues at most 1,000 watch renewals and 1,000 catch-up syncs and leaves the rest to the next call, so hourly keeps up with about 24,000 users; calls with nothing due cost only two Firestore queries."
  type        = string
  default     = "17 * * * *"
}

variable "renewal_time_zone" {
  description = "Time zone of renewal_schedule."
  type        = string
  default     = "Etc/UTC"
}

variable "operator_emails" {
  description = "Comma-separated accounts (service accounts or people) whose Google-signed OIDC token, with the service URL as audience, may read GET /api/stats. Empty: nobody."
  type        = string
  default     = ""
}

variable "alert_emails" {
  description = "Addresses told when runs fail or Gmail notifications are dead-lettered."
  type        = list(string)
  default     = []
}

variable "extra_env" {
  description = "Further environment variables for the service, e.g. OPENAI_MODEL, SCAN_STRATEGY, GMAIL_QUOTA_TABLE (legacy for projects created before 2026-05-01), LOG_LEVEL. Variables this configuration sets itself are refused."
  type        = map(string)
  default     = {}

  validation {
    condition = length(setintersection(keys(var.extra_env), [
      "MODE", "PORT", "PUBLIC_URL", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_CLOUD_PROJECT",
      "CLOUD_TASKS_LOCATION", "CLOUD_TASKS_QUEUE", "TASKS_INVOKER_SERVICE_ACCOUNT", "TASKS_AUDIENCE",
      "PUSH_SERVICE_ACCOUNT", "PUSH_AUDIENCE", "PUBSUB_TOPIC", "KEYRING_SECRET", "FIRESTORE_DATABASE",
      "CRON_SERVICE_ACCOUNT", "OPERATOR_EMAILS",
    ])) == 0
    error_message = "extra_env must not set a variable this configuration manages."
  }
}
