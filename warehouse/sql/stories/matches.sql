-- Template: {chunk} is filled by warehouse.db.quote_ident: a registered table of the chunk's vectors
-- (article_id, term, weight, rare). The placed articles that share a rare term with an article of the chunk
-- (only rare terms propose: common ones never enter the first join), scored by their exact cosine (the dot
-- product of the two vectors over all their shared terms), kept at or above the bound threshold. DuckDB does
-- the joins (spilling if need be); Python gets only the few pairs above the threshold.
WITH cand AS (
    SELECT DISTINCT c.article_id, t.article_id AS placed_id
    FROM {chunk} AS c
    JOIN story_terms AS t ON t.term = c.term
    WHERE c.rare
),
placed AS (
    SELECT t.article_id, t.term, t.weight
    FROM story_terms AS t
    WHERE t.article_id IN (SELECT placed_id FROM cand)
),
scores AS (
    SELECT cand.article_id, cand.placed_id, sum(c.weight * p.weight) AS similarity
    FROM cand
    JOIN {chunk} AS c ON c.article_id = cand.article_id
    JOIN placed AS p ON p.article_id = cand.placed_id AND p.term = c.term
    GROUP BY cand.article_id, cand.placed_id
    HAVING sum(c.weight * p.weight) >= ?
)
SELECT s.article_id, s.placed_id, m.story_id, a.published_date, s.similarity
FROM scores AS s
JOIN story_members AS m ON m.article_id = s.placed_id
JOIN articles AS a ON a.article_id = s.placed_id
