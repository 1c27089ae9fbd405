-- title: Biggest story clusters
-- The largest syndication clusters: the canonical title, how many copies and outlets, the similarity range.
-- param: limit = 20
SELECT
    cluster_id,
    any_value(canonical_title) AS canonical_title,
    any_value(cluster_size) AS n_members,
    count(DISTINCT outlet) AS n_outlets,
    list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL) AS outlets,
    min(similarity) AS min_similarity,
    count(*) FILTER (WHERE match = 'exact') AS n_exact,
    count(*) FILTER (WHERE match = 'near') AS n_near
FROM v_story_clusters
GROUP BY cluster_id
ORDER BY n_members DESC, cluster_id
LIMIT ?
