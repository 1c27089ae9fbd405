-- Unchanged files: remember this run saw them and their mtime now (a touched file with the same bytes is
-- not hashed again next time); their records stay as loaded.
UPDATE sources SET status = 'skipped', last_run_id = ?, mtime = coalesce(m.mtime, sources.mtime)
FROM (SELECT unnest(?::VARCHAR[]) AS source_id, unnest(?::TIMESTAMPTZ[]) AS mtime) AS m
WHERE sources.source_id = m.source_id
