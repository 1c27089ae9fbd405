-- Schema version 6 (frozen): the folder fallback of story_clusters.outlet dropped from the rows written before.
UPDATE "story_clusters" AS c SET "outlet" = nullif(trim(a."outlet"), '') FROM "articles" AS a WHERE a."article_id" = c."article_id"
