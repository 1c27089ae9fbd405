-- Runs still marked running (under the run lock: their process died, and the flow must recover them).
SELECT count(*) AS n FROM runs WHERE status = 'running'
