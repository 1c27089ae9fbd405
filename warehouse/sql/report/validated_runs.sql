-- The last ? runs that validated data, oldest first: the x axis of the expectation history.
SELECT d.run_id,
       strftime(timezone('UTC', coalesce(any_value(r.started_at), min(d.started_at))), '%Y-%m-%d %H:%M') AS started
FROM dq_runs AS d
LEFT JOIN runs AS r USING (run_id)
GROUP BY d.run_id
ORDER BY coalesce(any_value(r.started_at), min(d.started_at)) DESC, d.run_id DESC
LIMIT ?
