-- The existing clusters that a changed component replaces.
DELETE FROM story_clusters WHERE cluster_id IN (SELECT old_cluster FROM an_members WHERE old_cluster IS NOT NULL)
