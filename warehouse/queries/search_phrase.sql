-- title: Phrase search with context
-- Articles containing an exact phrase (case-insensitive), with 80 characters of context either side.
-- param: phrase = 'blog post'
WITH p AS (SELECT lower(?::VARCHAR) AS phrase)
SELECT
    a.title,
    a.outlet,
    a.source_path,
    substr(a.body, greatest(1, strpos(lower(a.body), p.phrase) - 80), 200) AS context
FROM v_articles AS a, p
WHERE strpos(lower(a.body), p.phrase) > 0
ORDER BY a.source_path, a.ordinal
