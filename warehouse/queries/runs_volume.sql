-- title: Volume by run
-- The last runs: files read, records loaded, speed, and how many of their articles are still current.
-- param: limit = 20
SELECT run_id, started_at, status, n_processed, n_skipped, n_failed, n_loaded, n_quarantined, mb_read, seconds,
       records_per_second, n_articles_current
FROM v_volume_by_run
ORDER BY started_at DESC
LIMIT ?
