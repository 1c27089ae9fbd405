-- The most recent run, whatever it did.
SELECT run_id, status, error, strftime(timezone('UTC', started_at), '%Y-%m-%d %H:%M:%S') AS started,
       seconds, n_discovered, n_skipped, n_processed, n_failed, n_loaded, n_quarantined
FROM runs
ORDER BY started_at DESC, run_id DESC
LIMIT 1
