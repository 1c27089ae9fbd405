-- Stories and placed articles after an update.
SELECT count(DISTINCT story_id) AS stories, count(*) AS members FROM story_members
