-- Mean body length per validated batch of the last 20 completed runs: the history the 'batches' suite
-- learns its mean_words bounds from.
SELECT CAST(r.observed_value AS DOUBLE) AS mean_words
FROM dq_results AS r
JOIN runs AS u USING (run_id)
WHERE r.suite = 'batches' AND r."column" = 'mean_words' AND r.observed_value IS NOT NULL
  AND u.status = 'completed'
  AND r.run_id IN (SELECT run_id FROM runs WHERE status = 'completed' ORDER BY started_at DESC LIMIT 20)
