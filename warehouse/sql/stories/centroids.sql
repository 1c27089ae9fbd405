-- The stored centroids of a bound list of stories: one row a story, its terms in term order and their weights
-- (Python makes each a dict at once, not a row at a time).
SELECT story_id, list(term ORDER BY term) AS terms, list(weight ORDER BY term) AS weights
FROM story_centroids
WHERE story_id IN (SELECT unnest(?::VARCHAR[]))
GROUP BY story_id
ORDER BY story_id
