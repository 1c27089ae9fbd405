-- The batch's source rows, merged with what the warehouse knew: first_run_id is kept, and a file that
-- failed now keeps the records (and counts) of its last good load.
CREATE OR REPLACE TEMP TABLE stg_sources_merged AS
SELECT s.* REPLACE (
    coalesce(o.first_run_id, s.first_run_id) AS first_run_id,
    CASE WHEN s.status = 'failed' THEN o.loaded_run_id ELSE s.loaded_run_id END AS loaded_run_id,
    CASE WHEN s.status = 'failed' THEN coalesce(o.n_articles, 0) ELSE s.n_articles END AS n_articles,
    CASE WHEN s.status = 'failed' THEN coalesce(o.n_quarantined, 0) ELSE s.n_quarantined END AS n_quarantined,
    CASE WHEN s.status = 'failed' THEN coalesce(o.n_removed_spans, 0) ELSE s.n_removed_spans END AS n_removed_spans
)
FROM stg_sources AS s LEFT JOIN sources AS o ON o.source_id = s.source_id
