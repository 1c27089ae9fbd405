-- Whether a table of this name exists in the main schema of the current database.
SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
