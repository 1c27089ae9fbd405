-- Template: {table} is filled by warehouse.db.quote_ident. Replaces the rows of files this batch loaded anew.
DELETE FROM {table} WHERE source_id IN (SELECT source_id FROM stg_sources WHERE status = 'loaded')
