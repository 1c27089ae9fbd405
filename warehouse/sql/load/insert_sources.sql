INSERT INTO sources BY NAME SELECT * FROM stg_sources_merged
