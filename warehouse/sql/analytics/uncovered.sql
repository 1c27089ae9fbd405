-- Template: {todo} is filled by warehouse.db.quote_ident. The articles to index that no staging file covered
-- (the writer computes their index rows), by id.
SELECT article_id FROM {todo} WHERE article_id NOT IN (SELECT article_id FROM an_covered) ORDER BY article_id
