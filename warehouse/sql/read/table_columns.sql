-- The columns a table of the main schema of the current database has.
SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
