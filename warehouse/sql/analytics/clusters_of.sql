-- Every member of the clusters that hold one of the articles in a bound list.
SELECT cluster_id, article_id, match, similarity
FROM story_clusters
WHERE cluster_id IN (SELECT cluster_id FROM story_clusters WHERE article_id IN (SELECT unnest(?::VARCHAR[])))
ORDER BY cluster_id, article_id
