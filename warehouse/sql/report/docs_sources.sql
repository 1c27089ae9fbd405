-- The source files run ? processed: those it loaded, and those that failed in it (run ? again).
SELECT * FROM sources
WHERE loaded_run_id = ? OR (status = 'failed' AND last_run_id = ?)
ORDER BY path
