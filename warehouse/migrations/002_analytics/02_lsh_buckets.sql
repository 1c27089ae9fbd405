-- Schema version 2 (frozen): the analytics tables (minhash_signatures, lsh_buckets, story_clusters, search_*).
CREATE TABLE IF NOT EXISTS "lsh_buckets" (
  "band" SMALLINT NOT NULL,
  "bucket" BIGINT NOT NULL,
  "article_id" VARCHAR NOT NULL
)
