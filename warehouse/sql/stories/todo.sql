-- The articles to place, in placing order (published date, unknown last; path; ordinal; id): every indexed
-- article (`search_docs`) without a `story_members` row.
CREATE OR REPLACE TEMP TABLE st_todo AS
SELECT
    a.article_id,
    row_number() OVER (ORDER BY a.published_date NULLS LAST, a.source_path, a.ordinal, a.article_id) - 1 AS seq
FROM articles AS a
JOIN search_docs AS d ON d.article_id = a.article_id
WHERE a.kind = 'article'
  AND NOT EXISTS (SELECT 1 FROM story_members AS m WHERE m.article_id = a.article_id)
