-- Template: {todo} is filled by warehouse.db.quote_ident, {files} is a list of quoted staging Parquet paths
-- (warehouse.db.quote_literal). The articles to index whose index rows the batch workers staged.
CREATE OR REPLACE TEMP TABLE an_covered AS
SELECT DISTINCT s.article_id FROM read_parquet([{files}]) AS s
WHERE s.article_id IN (SELECT article_id FROM {todo})
