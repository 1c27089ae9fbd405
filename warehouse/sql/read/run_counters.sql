-- The counters the warehouse's runs table records, in column order (schema.RUN_COUNTERS: files and records
-- per stage, bytes read), read from the catalog by the unchanged-run path, which needs no schema module.
SELECT column_name FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'runs'
  AND (column_name LIKE 'n\_%' ESCAPE '\' OR column_name = 'bytes_read')
ORDER BY column_index
