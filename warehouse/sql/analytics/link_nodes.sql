-- The nodes of the linking graph, one per distinct text (content hash) with an int id and the article whose
-- body stands for it: the texts of the useful buckets and of the articles to link, and every text of an
-- existing cluster holding one of them (the cluster is joined whole).
CREATE OR REPLACE TEMP TABLE an_nodes AS
WITH h AS (
    SELECT content_hash FROM an_bucket_members
    UNION
    SELECT s.content_hash FROM minhash_signatures AS s WHERE s.article_id IN (SELECT article_id FROM an_relink)
), clusters AS (
    SELECT DISTINCT c.cluster_id
    FROM story_clusters AS c JOIN minhash_signatures AS s ON s.article_id = c.article_id
    WHERE s.content_hash IN (SELECT content_hash FROM h)
), hashes AS (
    SELECT content_hash FROM h
    UNION
    SELECT s.content_hash
    FROM story_clusters AS c JOIN minhash_signatures AS s ON s.article_id = c.article_id
    WHERE c.cluster_id IN (SELECT cluster_id FROM clusters)
)
SELECT s.content_hash, (row_number() OVER (ORDER BY s.content_hash) - 1)::BIGINT AS node, min(s.article_id) AS rep
FROM minhash_signatures AS s
WHERE s.content_hash IN (SELECT content_hash FROM hashes)
GROUP BY s.content_hash
