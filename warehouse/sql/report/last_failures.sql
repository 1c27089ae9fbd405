-- Expectations that failed in run ?, over its batches: worst first, with a sample of unexpected values.
SELECT suite, expectation_id,
       any_value(expectation_type) AS expectation_type,
       any_value("column") AS column_name,
       any_value(severity) AS severity,
       count(*) AS batches_failed,
       sum(unexpected_count) AS unexpected,
       max(unexpected_percent) AS max_percent,
       arg_max(unexpected_sample, coalesce(unexpected_count, 0)) AS sample,
       arg_max(observed_value, batch) AS observed
FROM dq_results
WHERE run_id = ? AND NOT success
GROUP BY suite, expectation_id
ORDER BY any_value(severity) = 'error' DESC, unexpected DESC NULLS LAST, suite, expectation_id
