-- Template: {table} and {cols} are filled by warehouse.db.quote_ident, {files} is a list of quoted staging
-- Parquet paths. Inserts the staged index rows of the covered articles.
INSERT INTO {table} ({cols}) SELECT {cols} FROM read_parquet([{files}])
WHERE article_id IN (SELECT article_id FROM an_covered)
