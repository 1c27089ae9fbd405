-- The $1 most repeated bodies: copies, files they are in, a title and where the first copy is.
-- Only the groups that can make the list are read whole (their titles and bodies): those with at least as
-- many copies as the $1-th largest group (ties on copies are ordered by title, so all of them are kept).
WITH groups AS (SELECT content_hash, count(*) AS copies FROM articles GROUP BY content_hash HAVING count(*) > 1),
     candidates AS (
         SELECT content_hash FROM groups
         WHERE copies >= (SELECT min(copies) FROM (SELECT copies FROM groups ORDER BY copies DESC LIMIT $1))
     )
SELECT content_hash,
       count(*) AS copies,
       count(DISTINCT source_id) AS files,
       arg_min(title, source_path || lpad(ordinal::VARCHAR, 10, '0')) AS title,
       arg_min(kind, source_path || lpad(ordinal::VARCHAR, 10, '0')) AS kind,
       arg_min(left(body, 160), source_path || lpad(ordinal::VARCHAR, 10, '0')) AS preview,
       min(source_path) AS first_path
FROM articles SEMI JOIN candidates USING (content_hash)
GROUP BY content_hash
ORDER BY copies DESC, title NULLS LAST, content_hash
LIMIT $1
