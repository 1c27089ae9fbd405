-- The most recent run that validated data (has dq_runs rows), with its expectation pass counts.
SELECT d.run_id,
       any_value(r.status) AS status,
       strftime(timezone('UTC', coalesce(any_value(r.started_at), min(d.started_at))), '%Y-%m-%d %H:%M:%S') AS started,
       epoch(coalesce(any_value(r.started_at), min(d.started_at))) AS started_epoch,
       sum(d.evaluated) AS evaluated,
       sum(d.successful) AS successful,
       count(*) AS validations,
       count(*) FILTER (WHERE NOT d.success) AS failed_validations
FROM dq_runs AS d
LEFT JOIN runs AS r USING (run_id)
GROUP BY d.run_id
ORDER BY coalesce(any_value(r.started_at), min(d.started_at)) DESC, d.run_id DESC
LIMIT 1
