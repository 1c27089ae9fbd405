-- The schema version the warehouse was last written with (NULL when none was recorded).
SELECT max(version) FROM schema_version
