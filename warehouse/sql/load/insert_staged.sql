-- Template: {table} and {staged} are filled by warehouse.db.quote_ident.
INSERT INTO {table} BY NAME SELECT * FROM {staged}
