-- Clusters that lose a member (its signature went stale): they are dissolved and their other members
-- linked again.
CREATE OR REPLACE TEMP TABLE an_affected AS
SELECT DISTINCT cluster_id FROM story_clusters WHERE article_id IN (SELECT article_id FROM an_stale_sig)
