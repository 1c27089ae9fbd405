-- Template: {table} and {stale} are filled by warehouse.db.quote_ident. Drops the rows of stale articles.
DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM {stale})
