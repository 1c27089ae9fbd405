-- Records per language (all of articles), the top ?.
SELECT language, count(*) AS n, count(*) FILTER (WHERE kind = 'article') AS articles,
       avg(language_prob) AS mean_prob
FROM articles
GROUP BY language
ORDER BY n DESC, language
LIMIT ?
