-- Files that vanished from their SOURCE: flagged, their records kept (nothing is dropped silently).
UPDATE sources SET status = 'deleted', last_run_id = ?, error = 'the file no longer exists under the SOURCE of this run'
WHERE source_id IN (SELECT unnest(?::VARCHAR[]))
