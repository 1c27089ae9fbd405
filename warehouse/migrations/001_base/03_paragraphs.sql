-- Schema version 1 (frozen): the ingest tables as first released. Applied only to build a version-1 baseline.
CREATE TABLE IF NOT EXISTS "paragraphs" (
  "article_id" VARCHAR NOT NULL,
  "source_id" VARCHAR NOT NULL,
  "position" INTEGER NOT NULL,
  "text" VARCHAR NOT NULL,
  "paragraph_hash" VARCHAR NOT NULL,
  "n_words" INTEGER NOT NULL,
  "char_start" BIGINT NOT NULL,
  "char_end" BIGINT NOT NULL,
  "language" VARCHAR,
  "language_prob" DOUBLE,
  "run_id" VARCHAR NOT NULL
)
