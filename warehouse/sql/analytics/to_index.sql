-- Template: {todo} and {index} are filled by warehouse.db.quote_ident. Articles (kind = 'article', at least
-- ? words) that the index lacks: new ones, those of files loaded again, and all of them after an upgrade.
CREATE OR REPLACE TEMP TABLE {todo} AS
SELECT a.article_id
FROM articles AS a
WHERE a.kind = 'article' AND a.n_words >= ?
  AND NOT EXISTS (SELECT 1 FROM {index} AS x WHERE x.article_id = a.article_id)
