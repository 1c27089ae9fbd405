-- title: Volume by ingest day and language
-- Articles and words per UTC ingest day and language (the Parquet copy is partitioned the same way).
SELECT ingest_date, language, count(*) AS n_articles, sum(n_words) AS n_words, count(DISTINCT outlet) AS n_outlets
FROM v_articles
GROUP BY ALL
ORDER BY ingest_date, n_articles DESC, language
