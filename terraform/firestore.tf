resource "google_firestore_database" "main" {
  name                        = var.firestore_database
  location_id                 = coalesce(var.firestore_location, var.region)
  type                        = "FIRESTORE_NATIVE"
  concurrency_mode            = "PESSIMISTIC"
  app_engine_integration_mode = "DISABLED"
  delete_protection_state     = "DELETE_PROTECTION_ENABLED"
  # `terraform destroy` forgets the database instead of deleting every user's data.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.apis]
}

# Composite indexes: one per query that filters or orders on more than one field (see
# src/adapters/firestore). The others (users by emailHash, by watch.expiration, by
# cursor.updatedAt; batches by batchNo) are served by Firestore's automatic single-field indexes.
# test/infra derives the list from the adapter's queries and fails when one is missing.

# GET /api/runs: a user's runs, newest first.
resource "google_firestore_index" "runs_by_user" {
  database    = google_firestore_database.main.name
  collection  = "runs"
  query_scope = "COLLECTION"

  fields {
    field_path = "userId"
    order      = "ASCENDING"
  }
  fields {
    field_path = "scheduledAt"
    order      = "DESCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "DESCENDING"
  }
}

# Single-field index exemptions for large arrays that no query reads. A replied-threads bucket
# holds up to ~40,000 thread ids, and Firestore refuses a document with more than 40,000 index
# entries; a batch's 500 ids and decisions, and a sender set's decisions (found by its `keys`),
# would only slow their writes.
resource "google_firestore_field" "unindexed" {
  for_each = {
    replied_thread_ids = { collection = "repliedThreads", field = "threadIds" }
    batch_message_ids  = { collection = "batches", field = "messageIds" }
    batch_decisions    = { collection = "batches", field = "decisions" }
    run_errors         = { collection = "runs", field = "errors" }
    sender_decisions   = { collection = "senderSets", field = "decisions" }
  }

  database   = google_firestore_database.main.name
  collection = each.value.collection
  field      = each.value.field

  # An empty index_config turns off every single-field index of the field.
  index_config {}
}

# TTL: the shared Gmail quota ledger (src/adapters/firestore/firestore-quota-ledger.ts) writes
# `expireAt` a few minutes past each write; idle users' and shards' documents go away by
# themselves. User data proper carries no expiry: it is deleted when the user disconnects
# (Store.deleteUser), and runs are kept as the user's history.
resource "google_firestore_field" "quota_ledger_ttl" {
  for_each = {
    users   = "gmailQuotaUsers"
    project = "gmailQuotaProject"
  }

  database   = google_firestore_database.main.name
  collection = each.value
  field      = "expireAt"

  ttl_config {}
  # Nothing queries the ledger; it is read by document id only.
  index_config {}
}

# TTL: tasks and notifications recorded failing on their last attempt
# (src/adapters/firestore/firestore-dead-work.ts) expire 30 days after they were recorded;
# GET /api/stats counts the last 24 hours.
resource "google_firestore_field" "dead_work_ttl" {
  database   = google_firestore_database.main.name
  collection = "deadWork"
  field      = "expireAt"

  ttl_config {}
}
