-- title: Language mix
-- Languages of the articles with their share, words and the detector's mean confidence.
SELECT language, n_articles, pct_articles, n_words, mean_language_prob, n_sources
FROM v_language_mix
ORDER BY n_articles DESC, language
