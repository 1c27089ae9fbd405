-- What the warehouse remembers of each file, for the incremental plan, with the start of the run that last
-- saw it (a file whose mtime is not clearly older than that is confirmed by its hash: see discover.plan).
SELECT s.source_id, s.size_bytes, s.mtime, s.sha256, s.status, r.started_at AS seen_at
FROM sources AS s
LEFT JOIN runs AS r ON r.run_id = s.last_run_id
