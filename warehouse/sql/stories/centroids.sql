-- The stored centroids of a bound list of stories.
SELECT story_id, term, weight FROM story_centroids WHERE story_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY story_id, term
