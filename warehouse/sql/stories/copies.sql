-- Template: {chunk} is filled by warehouse.db.quote_ident: a registered table of the chunk's vectors
-- (article_id, term, weight, rare). The placed members of each chunk article's syndication cluster
-- (``story_clusters``: copies and near-copies of one text; ``events`` module doc, "Copies") with their stored
-- vectors (terms in order), for ``events.score_pair`` in Python: a cluster's pairs are few, and joined into the
-- rare-term matches (``stories/matches``) they made DuckDB's join run out of the update's memory.
SELECT k.article_id, o.article_id AS placed_id, m.story_id, ar.published_date,
       list(t.term ORDER BY t.term) AS terms, list(t.weight ORDER BY t.term) AS weights
FROM (SELECT DISTINCT article_id FROM {chunk}) AS k
JOIN story_clusters AS s ON s.article_id = k.article_id
JOIN story_clusters AS o ON o.cluster_id = s.cluster_id AND o.article_id <> k.article_id
JOIN story_members AS m ON m.article_id = o.article_id
JOIN articles AS ar ON ar.article_id = o.article_id
JOIN story_terms AS t ON t.article_id = o.article_id
GROUP BY k.article_id, o.article_id, m.story_id, ar.published_date
ORDER BY k.article_id, o.article_id
