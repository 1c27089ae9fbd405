-- Schema version 4 (frozen): the event stories (story_members, story_terms, story_centroids).
CREATE TABLE IF NOT EXISTS "story_centroids" (
  "story_id" VARCHAR NOT NULL,
  "term" VARCHAR NOT NULL,
  "weight" DOUBLE NOT NULL
)
