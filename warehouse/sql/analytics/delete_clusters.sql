-- Clusters replaced by a recomputed component (bound list of cluster ids).
DELETE FROM story_clusters WHERE cluster_id IN (SELECT unnest(?::VARCHAR[]))
