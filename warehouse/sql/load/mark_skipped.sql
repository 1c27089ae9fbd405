-- Unchanged files: remember this run saw them; their records stay as loaded.
UPDATE sources SET status = 'skipped', last_run_id = ? WHERE source_id IN (SELECT unnest(?::VARCHAR[]))
