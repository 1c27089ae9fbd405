-- The centroids of a bound list of stories (rewritten after a chunk changed them).
DELETE FROM story_centroids WHERE story_id IN (SELECT unnest(?::VARCHAR[]))
