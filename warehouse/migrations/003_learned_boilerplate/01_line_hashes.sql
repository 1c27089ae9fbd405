-- Schema version 3 (frozen): line_hashes, the counts of the learned boilerplate (corpus_etl/learned.py).
CREATE TABLE IF NOT EXISTS "line_hashes" (
  "source_id" VARCHAR NOT NULL,
  "outlet" VARCHAR NOT NULL,
  "line_hash" VARCHAR NOT NULL,
  "run_id" VARCHAR NOT NULL
)
