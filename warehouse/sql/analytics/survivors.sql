-- The members of the dissolved clusters that are still indexed (their links are computed again), as a temp
-- table (read before the dissolved clusters are deleted).
CREATE OR REPLACE TEMP TABLE an_survivors AS
SELECT article_id
FROM story_clusters
WHERE cluster_id IN (SELECT cluster_id FROM an_affected)
  AND article_id NOT IN (SELECT article_id FROM an_stale_sig)
