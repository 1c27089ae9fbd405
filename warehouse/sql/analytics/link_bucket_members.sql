-- The LSH buckets holding an article to link, with their distinct texts (content hashes; n identical
-- copies are one member) and whether an article to link holds that text (fresh). Only buckets of two or
-- more texts, one of them fresh, can add a link.
CREATE OR REPLACE TEMP TABLE an_bucket_members AS
WITH touched AS (
    SELECT DISTINCT band, bucket FROM lsh_buckets WHERE article_id IN (SELECT article_id FROM an_relink)
), members AS (
    SELECT b.band, b.bucket, s.content_hash, bool_or(r.article_id IS NOT NULL) AS fresh
    FROM lsh_buckets AS b
    JOIN touched AS t ON t.band = b.band AND t.bucket = b.bucket
    JOIN minhash_signatures AS s ON s.article_id = b.article_id
    LEFT JOIN an_relink AS r ON r.article_id = b.article_id
    GROUP BY b.band, b.bucket, s.content_hash
), useful AS (
    SELECT band, bucket FROM members GROUP BY band, bucket HAVING count(*) >= 2 AND bool_or(fresh)
)
SELECT m.band, m.bucket, m.content_hash, m.fresh
FROM members AS m JOIN useful AS u ON u.band = m.band AND u.bucket = m.bucket
