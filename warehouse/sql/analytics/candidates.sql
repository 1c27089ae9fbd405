-- Near-duplicate candidates of the articles to link (bound list): every other article sharing an LSH
-- bucket (band and bucket) with one of them.
SELECT DISTINCT r.article_id AS a, o.article_id AS b
FROM lsh_buckets AS r
JOIN lsh_buckets AS o ON o.band = r.band AND o.bucket = r.bucket AND o.article_id <> r.article_id
WHERE r.article_id IN (SELECT unnest(?::VARCHAR[]))
