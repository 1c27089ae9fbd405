-- title: Articles per outlet
-- Articles, words and languages per outlet (as the page names it: byline, wire credit, copyright line;
-- NULL for articles whose page names none), with how many of them are copies in a story cluster. Outlets
-- with fewer than min_articles are left out.
-- param: min_articles = 1
SELECT
    outlet,
    count(*) AS n_articles,
    sum(n_words) AS n_words,
    round(avg(n_words)) AS mean_words,
    list(DISTINCT language ORDER BY language) AS languages,
    count(*) FILTER (WHERE cluster_id IS NOT NULL AND NOT is_canonical) AS n_copies
FROM v_articles
GROUP BY outlet
HAVING count(*) >= ?
ORDER BY n_articles DESC, outlet
