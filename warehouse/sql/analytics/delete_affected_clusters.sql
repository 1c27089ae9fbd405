DELETE FROM story_clusters WHERE cluster_id IN (SELECT cluster_id FROM an_affected)
