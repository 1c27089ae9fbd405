-- Title, body and date of the articles to place with seq in [?, ?), in placing order.
SELECT t.article_id, a.title, a.body, a.published_date, c.cluster_id
FROM st_todo AS t
JOIN articles AS a ON a.article_id = t.article_id
LEFT JOIN story_clusters AS c ON c.article_id = t.article_id
WHERE t.seq >= ? AND t.seq < ?
ORDER BY t.seq
