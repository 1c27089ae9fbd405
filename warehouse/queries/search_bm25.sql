-- title: Full-text search (BM25)
-- The best matches for a few words, scored by BM25 (k1 = 1.2, b = 0.75) over the search index, as
-- `corpus-etl search` does (which also prints snippets). The query is split into casefolded words.
-- param: query = 'blackberry servers pakistan'
-- param: limit = 10
WITH
    q AS (SELECT DISTINCT unnest(regexp_extract_all(lower(?), '\w\w+')) AS term),
    stats AS (SELECT count(*) AS n, avg(length) AS avgdl FROM search_docs),
    df AS (SELECT t.term, count(*) AS df FROM search_terms AS t JOIN q USING (term) GROUP BY t.term)
SELECT
    a.title,
    a.source_path,
    round(sum(ln(1 + (stats.n - df.df + 0.5) / (df.df + 0.5))
        * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * d.length / stats.avgdl))), 3) AS score
FROM search_terms AS t
JOIN df USING (term)
JOIN search_docs AS d USING (article_id)
JOIN articles AS a USING (article_id)
CROSS JOIN stats
GROUP BY a.title, a.source_path, a.article_id
ORDER BY score DESC, a.article_id
LIMIT ?
