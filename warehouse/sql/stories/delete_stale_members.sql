DELETE FROM story_members WHERE article_id IN (SELECT article_id FROM st_stale)
