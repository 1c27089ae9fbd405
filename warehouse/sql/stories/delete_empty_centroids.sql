-- Centroids of stories with no member left.
DELETE FROM story_centroids AS c
WHERE NOT EXISTS (SELECT 1 FROM story_members AS m WHERE m.story_id = c.story_id)
