-- Document frequency, over the search index, of every term of the articles to place: one pass over
-- search_terms per update (the chunks then read this small table, not the index).
CREATE OR REPLACE TEMP TABLE st_df AS
SELECT term, count(*) AS df
FROM search_terms
WHERE term IN (SELECT DISTINCT s.term FROM search_terms AS s JOIN st_todo AS t ON t.article_id = s.article_id)
GROUP BY term
