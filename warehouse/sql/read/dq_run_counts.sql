-- Expectation counts of one run's validations, and how many records it quarantined.
SELECT min(d.started_at) AS started,
       sum(d.evaluated) AS evaluated,
       sum(d.successful) AS successful,
       (SELECT count(*) FROM quarantine AS q WHERE q.run_id = ?1) AS quarantined
FROM dq_runs AS d
WHERE d.run_id = ?1
