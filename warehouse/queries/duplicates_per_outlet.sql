-- title: Duplicates per outlet
-- Per outlet: articles in story clusters, how many are the canonical (first) version and how many are
-- exact or near copies of another outlet's or file's article, and the mean similarity of its copies.
SELECT
    outlet,
    count(*) AS n_clustered,
    count(*) FILTER (WHERE is_canonical) AS n_canonical,
    count(*) FILTER (WHERE match = 'exact') AS n_exact_copies,
    count(*) FILTER (WHERE match = 'near') AS n_near_copies,
    round(avg(similarity) FILTER (WHERE NOT is_canonical), 3) AS mean_copy_similarity
FROM story_clusters
GROUP BY outlet
ORDER BY n_clustered DESC, outlet
