-- Template: {chunk} is filled by warehouse.db.quote_ident (a registered table of the chunk's vectors: article_id,
-- term, weight). Every placed article whose stored vector has a cosine of at least the bound threshold with an
-- article of the chunk: the dot product over shared terms, computed here (DuckDB spills; Python gets the few
-- pairs above the threshold, never the postings).
SELECT c.article_id, t.article_id AS placed_id, m.story_id, a.published_date, sum(c.weight * t.weight) AS similarity
FROM {chunk} AS c
JOIN story_terms AS t ON t.term = c.term
JOIN story_members AS m ON m.article_id = t.article_id
JOIN articles AS a ON a.article_id = t.article_id
GROUP BY c.article_id, t.article_id, m.story_id, a.published_date
HAVING sum(c.weight * t.weight) >= ?
