-- Schema version 2 (frozen): the analytics tables (minhash_signatures, lsh_buckets, story_clusters, search_*).
CREATE TABLE IF NOT EXISTS "search_docs" (
  "article_id" VARCHAR NOT NULL,
  "source_id" VARCHAR NOT NULL,
  "length" INTEGER NOT NULL,
  "index_version" VARCHAR NOT NULL,
  "run_id" VARCHAR NOT NULL
)
