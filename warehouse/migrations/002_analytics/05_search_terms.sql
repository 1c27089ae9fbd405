-- Schema version 2 (frozen): the analytics tables (minhash_signatures, lsh_buckets, story_clusters, search_*).
CREATE TABLE IF NOT EXISTS "search_terms" (
  "term" VARCHAR NOT NULL,
  "article_id" VARCHAR NOT NULL,
  "tf" INTEGER NOT NULL
)
