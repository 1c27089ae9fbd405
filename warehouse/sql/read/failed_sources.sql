-- The files a run failed, with their reasons, by path (the CLI summary and the run's Prefect artifact name them).
SELECT path, error FROM sources WHERE last_run_id = ? AND status = 'failed' ORDER BY path LIMIT ?
