-- The articles to index (bound list of ids), as a temp table.
CREATE OR REPLACE TEMP TABLE an_todo AS SELECT unnest(?::VARCHAR[]) AS article_id
