-- Template: {chunk} is filled by warehouse.db.quote_ident: a registered table of the chunk's vectors
-- (article_id, term, weight, rare). The placed articles that share a rare term with an article of the chunk
-- (only rare terms propose: common ones never enter the first join), scored by their exact cosine (the dot
-- product of the two vectors over all their shared terms), kept at or above the bound threshold. DuckDB does
-- the joins (spilling if need be); Python gets only the few pairs above the threshold, each with its largest
-- single term's product (``events.Match.top_term``: the one-term rule).
--
-- The dot product is a sum of fixed-point parts (the first bound value is ``events.SIM_SCALE``, the second the
-- threshold times it; the similarity and the top term come back in those units): each term's product floored to
-- a multiple of 1 / scale and added as an integer, so the sum does not depend on the order in
-- which DuckDB's threads meet the rows (a float sum did: two copies of a text could score a last bit apart from
-- run to run and a tie go either way), and it is the number ``StoryIndex.matches`` computes in Python. (An
-- ordered float sum was deterministic too, but it buffered every group's rows: 40-60 % slower on a 50 MB
-- warehouse's chunk, and the likelier weight in a 200 MB first run's out-of-memory.) The joins run on
-- integer keys numbered for the chunk (texts are hashed and compared once), only over the terms that a
-- candidate shares; the parts are joined from the pairs: each pair's chunk terms (about 40 an article) looked up
-- by (pair, term) in the candidates' weights. (Joining the terms first and keeping the pairs by a semi join made
-- every chunk term times every candidate holding it: 45 M rows for a late chunk of the 50 MB bench's warehouse
-- against 3.4 M, the query 0.50 -> 0.25-0.32 s, the same rows.)
WITH cand AS (
    SELECT DISTINCT c.article_id, t.article_id AS placed_id
    FROM {chunk} AS c
    JOIN story_terms AS t ON t.term = c.term
    WHERE c.rare
),
tids AS (SELECT term, (row_number() OVER ())::INTEGER AS tid FROM (SELECT DISTINCT term FROM {chunk})),
aids AS (SELECT article_id, (row_number() OVER ())::INTEGER AS aid FROM (SELECT DISTINCT article_id FROM cand)),
pids AS (SELECT placed_id, (row_number() OVER ())::INTEGER AS pid FROM (SELECT DISTINCT placed_id FROM cand)),
placed AS (  -- the candidates' weights of the chunk's terms
    SELECT p.pid, k.tid, t.weight
    FROM story_terms AS t
    JOIN pids AS p ON p.placed_id = t.article_id
    JOIN tids AS k ON k.term = t.term
),
chunk AS (  -- the chunk's weights of the terms some candidate has
    SELECT a.aid, k.tid, c.weight
    FROM {chunk} AS c
    JOIN aids AS a ON a.article_id = c.article_id
    JOIN tids AS k ON k.term = c.term
    WHERE k.tid IN (SELECT tid FROM placed)
),
pairs AS (
    SELECT a.aid, p.pid
    FROM cand
    JOIN aids AS a ON a.article_id = cand.article_id
    JOIN pids AS p ON p.placed_id = cand.placed_id
),
scores AS (  -- a pair's similarity and its largest single term's part, in fixed-point units (integers)
    SELECT aid, pid, sum(part) AS similarity, max(part) AS top_term
    FROM (
        SELECT k.aid, k.pid, floor(c.weight * p.weight * ?)::BIGINT AS part
        FROM pairs AS k
        JOIN chunk AS c ON c.aid = k.aid
        JOIN placed AS p ON p.pid = k.pid AND p.tid = c.tid
    )
    GROUP BY aid, pid
    HAVING sum(part) >= ?
)
SELECT a.article_id, p.placed_id, m.story_id, ar.published_date, s.similarity, s.top_term
FROM scores AS s
JOIN aids AS a ON a.aid = s.aid
JOIN pids AS p ON p.pid = s.pid
JOIN story_members AS m ON m.article_id = p.placed_id
JOIN articles AS ar ON ar.article_id = p.placed_id
