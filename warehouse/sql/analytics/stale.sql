-- Template: {stale} and {index} are filled by warehouse.db.quote_ident. The rows of an analytics index to
-- drop: articles no longer in `articles`, articles of the files this run loaded again (bound list), and
-- rows built with another index version (bound).
CREATE OR REPLACE TEMP TABLE {stale} AS
SELECT x.article_id
FROM {index} AS x
WHERE x.source_id IN (SELECT unnest(?::VARCHAR[]))
   OR x.index_version <> ?
   OR NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.article_id = x.article_id)
