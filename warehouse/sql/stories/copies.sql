-- Template: {chunk} is filled by warehouse.db.quote_ident: a registered table of the chunk's vectors
-- (article_id, term, weight, rare). For each chunk article in a syndication cluster (``story_clusters``: copies
-- and near-copies of one text; ``events`` module doc, "Copies"), one placed member of its cluster (the least
-- article id among the placed ones) with its stored vector (terms in order), for ``events.score_pair`` in Python.
-- One member, not all: a cluster of thousands of copies would make the pairs grow with its square; the placed
-- members of a cluster are found once per cluster, then joined to the chunk's articles.
WITH mine AS (
    SELECT s.article_id, s.cluster_id
    FROM (SELECT DISTINCT article_id FROM {chunk}) AS k
    JOIN story_clusters AS s ON s.article_id = k.article_id
),
firsts AS (
    SELECT o.cluster_id, min(o.article_id) AS placed_id
    FROM story_clusters AS o
    JOIN story_members AS m ON m.article_id = o.article_id
    WHERE o.cluster_id IN (SELECT cluster_id FROM mine)
    GROUP BY o.cluster_id
)
SELECT x.article_id, f.placed_id, m.story_id, ar.published_date,
       list(t.term ORDER BY t.term) AS terms, list(t.weight ORDER BY t.term) AS weights
FROM mine AS x
JOIN firsts AS f ON f.cluster_id = x.cluster_id
JOIN story_members AS m ON m.article_id = f.placed_id
JOIN articles AS ar ON ar.article_id = f.placed_id
JOIN story_terms AS t ON t.article_id = f.placed_id
GROUP BY x.article_id, f.placed_id, m.story_id, ar.published_date
ORDER BY x.article_id
