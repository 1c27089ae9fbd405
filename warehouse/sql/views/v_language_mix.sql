-- Languages of the articles (kind = 'article'): count, share, words, mean detector probability, files.
CREATE OR REPLACE VIEW v_language_mix AS
SELECT
    language,
    count(*) AS n_articles,
    round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS pct_articles,
    sum(n_words) AS n_words,
    round(avg(language_prob), 3) AS mean_language_prob,
    count(DISTINCT source_id) AS n_sources
FROM articles
WHERE kind = 'article'
GROUP BY language
