-- Schema version 2 (frozen): the analytics tables (minhash_signatures, lsh_buckets, story_clusters, search_*).
CREATE TABLE IF NOT EXISTS "story_clusters" (
  "cluster_id" VARCHAR NOT NULL,
  "article_id" VARCHAR NOT NULL,
  "source_id" VARCHAR NOT NULL,
  "outlet" VARCHAR NOT NULL,
  "is_canonical" BOOLEAN NOT NULL,
  "match" VARCHAR NOT NULL,
  "similarity" DOUBLE NOT NULL,
  "cluster_size" INTEGER NOT NULL,
  "run_id" VARCHAR NOT NULL
)
