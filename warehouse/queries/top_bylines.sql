-- title: Top bylines
-- Authors with the most articles, with their outlets and first and last publication dates.
-- param: limit = 25
SELECT
    author,
    count(*) AS n_articles,
    list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL) AS outlets,
    min(published_date) AS first_published,
    max(published_date) AS last_published
FROM (SELECT unnest(authors) AS author, outlet, published_date FROM v_articles)
GROUP BY author
ORDER BY n_articles DESC, author
LIMIT ?
