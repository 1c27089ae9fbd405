-- Replace the rows of files this batch loaded anew.
DELETE FROM quarantine WHERE source_id IN (SELECT source_id FROM stg_sources WHERE status = 'loaded')
