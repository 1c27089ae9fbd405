-- A digest of the warehouse's catalog: every table, column (type, nullability, default, comment) and view
-- (its SQL, comment) of the main schema. Any DDL (another corpus-etl's views, a dropped column) changes it.
SELECT md5(coalesce(string_agg(x, chr(10) ORDER BY x), '')) FROM (
    SELECT concat_ws(chr(31), 't', table_name, coalesce(comment, ''), sql) AS x
    FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
    UNION ALL
    SELECT concat_ws(chr(31), 'c', table_name, column_name, data_type, is_nullable::VARCHAR,
                     coalesce(column_default, ''), coalesce(comment, ''))
    FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main'
    UNION ALL
    SELECT concat_ws(chr(31), 'v', view_name, coalesce(comment, ''), sql)
    FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
)
