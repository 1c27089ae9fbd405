-- The content hash of the articles in a bound list of ids.
SELECT article_id, content_hash FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
