-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "sources" (
  "source_id" VARCHAR NOT NULL,
  "path" VARCHAR NOT NULL,
  "size_bytes" BIGINT NOT NULL,
  "mtime" TIMESTAMPTZ,
  "sha256" VARCHAR,
  "encoding" VARCHAR,
  "compression" VARCHAR,
  "format" VARCHAR,
  "n_chars" BIGINT,
  "n_articles" INTEGER NOT NULL,
  "n_quarantined" INTEGER NOT NULL,
  "n_removed_spans" INTEGER NOT NULL,
  "status" VARCHAR NOT NULL,
  "error" VARCHAR,
  "first_run_id" VARCHAR NOT NULL,
  "last_run_id" VARCHAR NOT NULL,
  "loaded_run_id" VARCHAR
)
