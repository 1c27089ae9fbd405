-- title: Story timeline
-- The event stories (`v_story_members`: articles of any outlet on one event) any of whose articles mention a
-- pattern in its title or body (ILIKE), plotted over the date the articles state (`published_date`, never the
-- ingest day): one row per story and publication day, the undated articles of a story counted apart in one row
-- with day NULL after its dated days. The near-duplicate clusters (`story_clusters`: copies of one text) stay
-- under their own name: the day's clusters and how many of its articles are copies of another.
-- param: pattern = '%pakistan%'
WITH p AS (SELECT ?::VARCHAR AS pattern),
m AS (
    SELECT s.*, a.cluster_id AS near_duplicate_cluster_id, a.is_canonical
    FROM v_story_members AS s
    JOIN v_articles AS a ON a.article_id = s.article_id
),
hit AS (
    SELECT DISTINCT s.story_id
    FROM m AS s
    JOIN v_articles AS a ON a.article_id = s.article_id, p
    WHERE a.title ILIKE p.pattern OR a.body ILIKE p.pattern
)
SELECT
    m.story_id,
    any_value(m.story_title) AS story_title,
    any_value(m.story_size) AS story_size,
    any_value(m.story_first_date) AS story_first_date,
    m.published_date AS day,
    count(*) AS n_articles,
    count(DISTINCT m.outlet) AS n_outlets,
    list(DISTINCT m.outlet ORDER BY m.outlet) FILTER (WHERE m.outlet IS NOT NULL) AS outlets,
    list(DISTINCT m.near_duplicate_cluster_id ORDER BY m.near_duplicate_cluster_id)
        FILTER (WHERE m.near_duplicate_cluster_id IS NOT NULL) AS near_duplicate_clusters,
    count(*) FILTER (WHERE m.near_duplicate_cluster_id IS NOT NULL AND NOT m.is_canonical) AS n_copies,
    list(m.title ORDER BY m.source_path, m.article_id) AS titles,
    list(m.source_path ORDER BY m.source_path, m.article_id) AS source_paths
FROM m
JOIN hit USING (story_id)
GROUP BY m.story_id, m.published_date
ORDER BY story_first_date NULLS LAST, m.story_id, day NULLS LAST
