-- The columns a table (or view) of the main schema of the current database has, in their order.
SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
ORDER BY column_index
