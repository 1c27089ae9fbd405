-- Event stories, one row per current article (kind = 'article' whose file is not deleted): its story
-- (`story_members`: articles of any outlet on one event), the story's size, sources, outlets and dates over its
-- current members, its first member's title, and how the article joined (matched article, cosine).
-- Join on article_id: select s.story_id, a.title from v_articles a join v_story_members s using (article_id).
CREATE OR REPLACE VIEW v_story_members AS
WITH cur AS (
    SELECT
        m.article_id,
        m.story_id,
        m.matched_article_id,
        m.similarity,
        a.title,
        a.source_id,
        a.source_path,
        a.ordinal,
        nullif(trim(a.outlet), '') AS outlet,
        a.published_date,
        CAST(timezone('UTC', a.ingested_at) AS DATE) AS ingest_date
    FROM story_members AS m
    JOIN articles AS a ON a.article_id = m.article_id
    LEFT JOIN sources AS s ON s.source_id = a.source_id
    WHERE a.kind = 'article' AND coalesce(s.status <> 'deleted', true)
),
story AS (
    SELECT
        story_id,
        count(*) AS story_size,
        count(DISTINCT source_id) AS story_sources,
        count(DISTINCT outlet) AS story_outlets,
        min(published_date) AS story_first_date,
        max(published_date) AS story_last_date,
        min(ingest_date) AS story_first_ingest_date,
        arg_min(title, (published_date IS NULL, published_date, source_path, ordinal)) FILTER (WHERE title IS NOT NULL)
            AS story_title
    FROM cur
    GROUP BY story_id
)
SELECT
    c.article_id,
    c.story_id,
    s.story_size,
    s.story_sources,
    s.story_outlets,
    s.story_first_date,
    s.story_last_date,
    s.story_first_ingest_date,
    s.story_title,
    c.article_id = c.story_id AS is_story_first,
    c.matched_article_id,
    c.similarity,
    c.title,
    c.outlet,
    c.source_path,
    c.published_date
FROM cur AS c
JOIN story AS s ON s.story_id = c.story_id
