-- The records run ? loaded (articles) and quarantined (run ? again), as article rows in file order; the first ?.
SELECT * FROM (
    SELECT * FROM articles WHERE run_id = ?
    UNION ALL BY NAME
    SELECT * EXCLUDE (failed_expectations, quarantined_at) FROM quarantine WHERE run_id = ?
)
ORDER BY source_path, ordinal
LIMIT ?
