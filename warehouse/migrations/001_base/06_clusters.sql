-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "clusters" (
  "source_id" VARCHAR NOT NULL,
  "cluster" INTEGER NOT NULL,
  "summary" VARCHAR NOT NULL,
  "summary_path" VARCHAR NOT NULL,
  "run_id" VARCHAR NOT NULL
)
