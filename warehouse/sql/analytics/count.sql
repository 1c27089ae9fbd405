-- Template: {table} is filled by warehouse.db.quote_ident. Rows of a (temp) table.
SELECT count(*) FROM {table}
