-- Schema version 2 (frozen): the analytics tables (minhash_signatures, lsh_buckets, story_clusters, search_*).
CREATE TABLE IF NOT EXISTS "minhash_signatures" (
  "article_id" VARCHAR NOT NULL,
  "source_id" VARCHAR NOT NULL,
  "content_hash" VARCHAR NOT NULL,
  "n_shingles" INTEGER NOT NULL,
  "signature" UINTEGER[] NOT NULL,
  "index_version" VARCHAR NOT NULL,
  "run_id" VARCHAR NOT NULL
)
