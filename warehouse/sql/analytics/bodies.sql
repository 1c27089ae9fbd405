-- Title and body of the articles in a bound list of ids.
SELECT article_id, source_id, title, body, content_hash FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
