-- The stored vectors' entries for a bound list of terms, with the article's story and date, in a fixed order
-- (the placing's ties go to the first article added).
SELECT t.article_id, t.term, t.weight, m.story_id, a.published_date
FROM story_terms AS t
JOIN story_members AS m ON m.article_id = t.article_id
JOIN articles AS a ON a.article_id = t.article_id
WHERE t.term IN (SELECT unnest(?::VARCHAR[]))
ORDER BY t.article_id, t.term
