-- The articles (kind = 'article') now in `articles`, grouped by the run that loaded them: the last ? runs that
-- loaded any, newest first, with how many name no outlet (`outlet_source` = 'none') and how many have no title.
-- A run whose records a later run replaced counts only the ones still current.
WITH per_run AS (
    SELECT run_id,
           count(*) AS n_articles,
           count(*) FILTER (WHERE outlet_source = 'none') AS n_outlet_none,
           count(*) FILTER (WHERE title IS NULL) AS n_untitled
    FROM articles
    WHERE kind = 'article'
    GROUP BY run_id
)
SELECT p.run_id,
       strftime(timezone('UTC', r.started_at), '%Y-%m-%d %H:%M') AS started,
       p.n_articles, p.n_outlet_none, p.n_untitled
FROM per_run AS p
LEFT JOIN runs AS r USING (run_id)
ORDER BY r.started_at DESC NULLS LAST, p.run_id DESC
LIMIT ?
