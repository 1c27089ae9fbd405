-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "dq_runs" (
  "run_id" VARCHAR NOT NULL,
  "suite" VARCHAR NOT NULL,
  "batch" INTEGER NOT NULL,
  "success" BOOLEAN NOT NULL,
  "evaluated" INTEGER NOT NULL,
  "successful" INTEGER NOT NULL,
  "started_at" TIMESTAMPTZ NOT NULL
)
