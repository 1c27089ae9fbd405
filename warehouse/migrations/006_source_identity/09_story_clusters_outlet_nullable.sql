-- Schema version 6 (frozen): story_clusters.outlet is articles.outlet (NULL when the page names none), not a folder.
ALTER TABLE "story_clusters" ALTER COLUMN "outlet" DROP NOT NULL
