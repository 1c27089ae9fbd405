-- Per expectation over the last ? validated runs: results, passes, outcome in run ? and when it last failed.
WITH vruns AS (
    SELECT d.run_id, coalesce(any_value(r.started_at), min(d.started_at)) AS started_at
    FROM dq_runs AS d
    LEFT JOIN runs AS r USING (run_id)
    GROUP BY d.run_id
    ORDER BY started_at DESC, d.run_id DESC
    LIMIT ?
)
SELECT x.suite, x.expectation_id,
       arg_max(x.expectation_type, v.started_at) AS expectation_type,
       arg_max(x."column", v.started_at) AS column_name,
       arg_max(x.severity, v.started_at) AS severity,
       count(DISTINCT x.run_id) AS runs,
       count(*) AS results,
       count(*) FILTER (WHERE x.success) AS passed,
       bool_and(x.success) FILTER (WHERE x.run_id = ?) AS last_success,
       strftime(timezone('UTC', max(v.started_at) FILTER (WHERE NOT x.success)), '%Y-%m-%d %H:%M') AS last_failed
FROM dq_results AS x
JOIN vruns AS v USING (run_id)
GROUP BY x.suite, x.expectation_id
