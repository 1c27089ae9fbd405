-- The ? most repeated bodies: copies, files they are in, a title and where the first copy is.
SELECT content_hash,
       count(*) AS copies,
       count(DISTINCT source_id) AS files,
       arg_min(title, source_path || lpad(ordinal::VARCHAR, 10, '0')) AS title,
       arg_min(kind, source_path || lpad(ordinal::VARCHAR, 10, '0')) AS kind,
       arg_min(left(body, 160), source_path || lpad(ordinal::VARCHAR, 10, '0')) AS preview,
       min(source_path) AS first_path
FROM articles
GROUP BY content_hash
HAVING count(*) > 1
ORDER BY copies DESC, title NULLS LAST, content_hash
LIMIT ?
