-- title: Full-text search (BM25)
-- The best matches for a few words, scored by BM25 (k1 = 1.2, b = 0.75) over the search index, as
-- `corpus-etl search` does (which also prints snippets). The query is split into lower-cased words.
-- Generated from warehouse/sql/search/bm25.sql by `python -m warehouse.search --write`: edit that.
-- param: query = 'blackberry servers pakistan'
-- param: limit = 10
SELECT ranked.title, ranked.source_path, round(ranked.score, 3) AS score
FROM (
    -- BM25 over the search index (search_docs, search_terms). Binds: the query terms (VARCHAR[]), k1, b, limit.
    -- idf = ln(1 + (N - df + 0.5) / (df + 0.5)); score = sum over the query terms of
    -- idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl)). Ties are broken by article_id.
    WITH
        q AS (SELECT DISTINCT unnest(regexp_extract_all(lower(nfc_normalize(?)), '[\pL\pN_][\pL\pN_]+|\p{Nd}')) AS term),
        p AS (SELECT 1.2::DOUBLE AS k1, 0.75::DOUBLE AS b),
        stats AS (SELECT count(*) AS n_docs, avg(length) AS avgdl FROM search_docs),
        hits AS (SELECT t.term, t.article_id, t.tf FROM search_terms AS t JOIN q ON q.term = t.term),
        df AS (SELECT term, count(*) AS df FROM hits GROUP BY term),
        scored AS (
            SELECT
                h.article_id,
                sum(
                    ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
                    * h.tf * (p.k1 + 1) / (h.tf + p.k1 * (1 - p.b + p.b * d.length / stats.avgdl))
                ) AS score,
                count(*) AS n_terms_matched
            FROM hits AS h
            JOIN df ON df.term = h.term
            JOIN search_docs AS d ON d.article_id = h.article_id
            CROSS JOIN stats
            CROSS JOIN p
            GROUP BY h.article_id
        )
    SELECT s.article_id, s.score, s.n_terms_matched, a.title, a.source_path, a.outlet, a.language, a.published_date, a.body
    FROM scored AS s
    JOIN articles AS a ON a.article_id = s.article_id
    ORDER BY s.score DESC, s.article_id
    LIMIT ?
) AS ranked
ORDER BY ranked.score DESC, ranked.article_id
