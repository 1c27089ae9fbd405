-- Story clusters, one row per member, with the canonical member's title and path beside each member, and
-- is_current: false when the member's source file was deleted from its SOURCE (its rows are kept, flagged).
CREATE OR REPLACE VIEW v_story_clusters AS
SELECT
    c.cluster_id,
    c.cluster_size,
    k.title AS canonical_title,
    k.source_path AS canonical_path,
    c.article_id,
    a.title,
    c.outlet,
    a.source_path,
    c.is_canonical,
    c.match,
    c.similarity,
    a.published_date,
    a.ingested_at,
    a.language,
    a.n_words,
    coalesce(s.status <> 'deleted', true) AS is_current
FROM story_clusters AS c
JOIN articles AS a ON a.article_id = c.article_id
JOIN articles AS k ON k.article_id = c.cluster_id
LEFT JOIN sources AS s ON s.source_id = c.source_id
