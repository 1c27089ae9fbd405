-- Quarantined records per failed expectation: all held rows, and those of run ?; the top ?.
SELECT reason, count(*) AS n, count(*) FILTER (WHERE run_id = ?) AS n_last
FROM (SELECT unnest(failed_expectations) AS reason, run_id FROM quarantine)
GROUP BY reason
ORDER BY n DESC, reason
LIMIT ?
