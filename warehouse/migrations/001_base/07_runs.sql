-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "runs" (
  "run_id" VARCHAR NOT NULL,
  "flow_name" VARCHAR NOT NULL,
  "started_at" TIMESTAMPTZ NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "status" VARCHAR NOT NULL,
  "error" VARCHAR,
  "sources_requested" VARCHAR NOT NULL,
  "n_discovered" INTEGER NOT NULL,
  "n_skipped" INTEGER NOT NULL,
  "n_processed" INTEGER NOT NULL,
  "n_failed" INTEGER NOT NULL,
  "n_records" INTEGER NOT NULL,
  "n_loaded" INTEGER NOT NULL,
  "n_quarantined" INTEGER NOT NULL,
  "n_removed_spans" INTEGER NOT NULL,
  "bytes_read" BIGINT NOT NULL,
  "seconds" DOUBLE,
  "settings_json" VARCHAR NOT NULL
)
