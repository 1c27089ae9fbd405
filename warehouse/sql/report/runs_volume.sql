-- The last ? runs, oldest first: records per stage and the share of expectations that passed.
WITH recent AS (
    SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?
), dq AS (
    SELECT run_id, sum(evaluated) AS evaluated, sum(successful) AS successful
    FROM dq_runs
    WHERE run_id IN (SELECT run_id FROM recent)
    GROUP BY run_id
)
SELECT r.run_id,
       strftime(timezone('UTC', r.started_at), '%Y-%m-%d %H:%M') AS started,
       r.status, r.error, r.seconds,
       r.n_discovered AS discovered, r.n_skipped AS skipped, r.n_processed AS processed, r.n_failed AS failed,
       r.n_records AS records, r.n_loaded AS loaded, r.n_quarantined AS quarantined,
       r.n_removed_spans AS removed_spans,
       dq.evaluated, dq.successful
FROM recent AS r
LEFT JOIN dq USING (run_id)
ORDER BY r.started_at, r.run_id
