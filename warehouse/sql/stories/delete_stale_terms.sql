DELETE FROM story_terms WHERE article_id IN (SELECT article_id FROM st_stale)
