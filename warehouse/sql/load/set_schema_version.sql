INSERT INTO schema_version (version) SELECT ? AS v WHERE v NOT IN (SELECT version FROM schema_version)
