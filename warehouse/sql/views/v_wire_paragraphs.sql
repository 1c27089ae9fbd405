-- Wire copy: every paragraph (of at least 8 words, so datelines and "Advertisement" lines are left out)
-- that appears, by paragraph_hash (case and spacing ignored), in more than one source file, with the
-- files and outlets that carry it.
CREATE OR REPLACE VIEW v_wire_paragraphs AS
WITH p AS (
    SELECT
        p.paragraph_hash,
        p.text,
        p.n_words,
        p.source_id,
        p.article_id,
        s.path,
        nullif(trim(a.outlet), '') AS outlet
    FROM paragraphs AS p
    JOIN sources AS s ON s.source_id = p.source_id
    LEFT JOIN articles AS a ON a.article_id = p.article_id
    WHERE p.n_words >= 8
)
SELECT
    paragraph_hash,
    arg_min(text, path) AS text,
    max(n_words) AS n_words,
    count(DISTINCT source_id) AS n_sources,
    count(DISTINCT article_id) AS n_articles,
    list(DISTINCT path ORDER BY path) AS source_paths,
    coalesce(list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL), []) AS outlets
FROM p
GROUP BY paragraph_hash
HAVING count(DISTINCT source_id) >= 2
