-- Schema version 4 (frozen): the event stories (story_members, story_terms, story_centroids).
CREATE TABLE IF NOT EXISTS "story_members" (
  "article_id" VARCHAR NOT NULL,
  "story_id" VARCHAR NOT NULL,
  "matched_article_id" VARCHAR,
  "similarity" DOUBLE NOT NULL,
  "story_version" VARCHAR NOT NULL,
  "run_id" VARCHAR NOT NULL
)
