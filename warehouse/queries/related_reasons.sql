-- title: Records kept apart as related, per reason
-- The records that are not articles (kind 'related': teasers, page chrome, comments) per reason
-- (`kind_reason`, corpus_etl/kinds.py), with their words, the share of all records' words they hold and the
-- longest one as an example: what each rule took from the articles; for the record model, its lowest
-- probability (`kind_prob`: the borderline ones are where a real article may hide). Rows loaded before schema
-- version 7 have no reason ('unknown').
SELECT
    coalesce(kind_reason, 'unknown') AS kind_reason,
    count(*) AS n_records,
    count(DISTINCT source_id) AS n_sources,
    sum(n_words) AS n_words,
    round(sum(n_words) / (SELECT sum(n_words) FROM articles), 4) AS share_of_words,
    min(kind_prob) AS min_model_prob,
    arg_max(left(replace(coalesce(title || ' | ', '') || body, chr(10), ' '), 80), n_words) AS longest_example
FROM articles
WHERE kind = 'related'
GROUP BY ALL
ORDER BY n_words DESC, kind_reason
