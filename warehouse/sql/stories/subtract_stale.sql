-- The vectors of the placed articles to forget (st_stale) leave their stories' centroids (run before their
-- story_members and story_terms rows are deleted).
UPDATE story_centroids AS c
SET weight = c.weight - x.weight
FROM (
    SELECT m.story_id, t.term, sum(t.weight) AS weight
    FROM story_terms AS t
    JOIN story_members AS m ON m.article_id = t.article_id
    WHERE t.article_id IN (SELECT article_id FROM st_stale)
    GROUP BY m.story_id, t.term
) AS x
WHERE c.story_id = x.story_id AND c.term = x.term
