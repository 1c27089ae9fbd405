-- title: Outlet coverage per collection
-- Per collection (the SOURCE argument its files came in through): current files and articles, and how many
-- of the articles name no outlet (`outlet_source` 'none': neither the record nor its page names one), with
-- the share; the collections with the largest share first.
SELECT
    collection,
    count(*) AS n_sources,
    sum(n_article_records) AS n_articles,
    sum(n_outlet_none) AS n_outlet_none,
    round(sum(n_outlet_none) / nullif(sum(n_article_records), 0), 3) AS outlet_none_share
FROM v_source_quality
WHERE status <> 'deleted'
GROUP BY collection
ORDER BY outlet_none_share DESC NULLS LAST, collection
