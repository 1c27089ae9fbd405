-- Pass rate of every expectation in each of the last ? validated runs (share of its batches that passed).
WITH vruns AS (
    SELECT d.run_id, coalesce(any_value(r.started_at), min(d.started_at)) AS started_at
    FROM dq_runs AS d
    LEFT JOIN runs AS r USING (run_id)
    GROUP BY d.run_id
    ORDER BY started_at DESC, d.run_id DESC
    LIMIT ?
)
SELECT x.suite, x.expectation_id, x.run_id,
       avg(CASE WHEN x.success THEN 1.0 ELSE 0.0 END) AS pass_rate,
       sum(x.unexpected_count) AS unexpected
FROM dq_results AS x
JOIN vruns AS v USING (run_id)
GROUP BY x.suite, x.expectation_id, x.run_id
