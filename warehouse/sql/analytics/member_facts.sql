-- What the canonical rule and the story_clusters row need of each article in a bound list.
SELECT article_id, source_id, source_path, ordinal, n_words, content_hash, ingested_at, outlet
FROM articles
WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
