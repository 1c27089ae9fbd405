-- Date, syndication cluster and words of the articles to place with seq in [?, ?), in placing order. The words
-- are the search index's counts (``search_terms``: each word of the article's title and body with its count, as
-- ``analytics.search.term_counts`` counts them; ``events.event_terms`` counts the same words), those of three
-- UTF-8 bytes or more only (a word of fewer bytes has fewer than three characters and is no event term; the rest
-- is tested in Python, ``events.event_terms_of``: the stop words and digits tested in the join made the read of
-- a 50 MB warehouse's chunks 3 times slower). An article with no word left gets empty lists.
SELECT
    t.article_id,
    a.published_date,
    c.cluster_id,
    coalesce(list(s.term) FILTER (WHERE s.term IS NOT NULL), []) AS terms,
    coalesce(list(s.tf) FILTER (WHERE s.term IS NOT NULL), []) AS tfs
FROM st_todo AS t
JOIN articles AS a ON a.article_id = t.article_id
LEFT JOIN story_clusters AS c ON c.article_id = t.article_id
LEFT JOIN search_terms AS s ON s.article_id = t.article_id AND strlen(s.term) >= 3
WHERE t.seq >= ? AND t.seq < ?
GROUP BY t.seq, t.article_id, a.published_date, c.cluster_id
ORDER BY t.seq
