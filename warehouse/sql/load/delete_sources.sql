DELETE FROM sources WHERE source_id IN (SELECT source_id FROM stg_sources_merged)
