-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "removed_spans" (
  "source_id" VARCHAR NOT NULL,
  "char_start" BIGINT NOT NULL,
  "char_end" BIGINT NOT NULL,
  "rule" VARCHAR NOT NULL,
  "text" VARCHAR NOT NULL,
  "article_id" VARCHAR,
  "run_id" VARCHAR NOT NULL
)
