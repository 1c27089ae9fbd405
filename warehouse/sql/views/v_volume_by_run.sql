-- One row per ingest run: what it read and loaded, how fast, and how many of its rows are still current
-- (rows of a file loaded again by a later run belong to that run).
CREATE OR REPLACE VIEW v_volume_by_run AS
SELECT
    r.run_id,
    r.started_at,
    r.finished_at,
    r.status,
    r.n_discovered,
    r.n_processed,
    r.n_skipped,
    r.n_failed,
    r.n_records,
    r.n_loaded,
    r.n_quarantined,
    round(r.bytes_read / 1000000, 3) AS mb_read,
    r.seconds,
    round(r.n_records / nullif(r.seconds, 0), 1) AS records_per_second,
    coalesce(cur.n_current, 0) AS n_articles_current
FROM runs AS r
LEFT JOIN (SELECT run_id, count(*) AS n_current FROM articles GROUP BY run_id) AS cur ON cur.run_id = r.run_id
