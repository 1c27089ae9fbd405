-- Placed articles to forget: no longer an article in `articles`, or placed by another linking version (bound).
-- Their story_terms go too; the other members of their stories keep their story.
CREATE OR REPLACE TEMP TABLE st_stale AS
SELECT m.article_id
FROM story_members AS m
WHERE m.story_version <> ?
   OR NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.article_id = m.article_id AND a.kind = 'article')
