-- Length of the decoded text of every file with a record of run ? (in articles, or quarantine for run ?).
SELECT source_id, n_chars FROM sources
WHERE source_id IN (
    SELECT source_id FROM articles WHERE run_id = ?
    UNION
    SELECT source_id FROM quarantine WHERE run_id = ?
)
