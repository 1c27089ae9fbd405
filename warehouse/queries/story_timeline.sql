-- title: Story timeline
-- Every article whose title or body mentions a pattern (ILIKE), in order of publication (else of
-- ingestion), with its outlet and its story cluster: how a story was told and retold.
-- param: pattern = '%pakistan%'
WITH p AS (SELECT ?::VARCHAR AS pattern)
SELECT
    coalesce(a.published_date, a.ingest_date) AS day,
    a.published_date IS NOT NULL AS date_from_article,
    a.outlet,
    a.title,
    a.cluster_id,
    a.cluster_match,
    a.source_path
FROM v_articles AS a, p
WHERE a.title ILIKE p.pattern OR a.body ILIKE p.pattern
ORDER BY day, a.ingested_at, a.source_path, a.ordinal
