-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "dq_results" (
  "run_id" VARCHAR NOT NULL,
  "suite" VARCHAR NOT NULL,
  "batch" INTEGER NOT NULL,
  "expectation_id" VARCHAR NOT NULL,
  "expectation_type" VARCHAR NOT NULL,
  "column" VARCHAR,
  "severity" VARCHAR NOT NULL,
  "success" BOOLEAN NOT NULL,
  "element_count" BIGINT,
  "unexpected_count" BIGINT,
  "unexpected_percent" DOUBLE,
  "observed_value" VARCHAR,
  "unexpected_sample" VARCHAR
)
