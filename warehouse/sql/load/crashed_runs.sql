-- Runs still marked running while no run holds the lock: their process died. Marked crashed.
UPDATE runs SET status = 'crashed', finished_at = ?, error = 'the run did not finish (process killed or crashed)'
WHERE status = 'running' AND run_id <> ?
RETURNING run_id
