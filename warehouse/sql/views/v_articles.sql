-- Articles (kind = 'article') for analysts: the collection (the SOURCE a file came in through), the site and
-- URL and the outlet as the page names them (`articles`: never the file's folder), the UTC ingest date, the
-- story cluster the article belongs to, and whether it is current: false when its source file was deleted
-- from its SOURCE (the deleted-file rule keeps the rows, flagged; filter on is_current for what the sources
-- hold now); quality columns: where the title came from, whether it may hold two glued pages, and the shares
-- of the record's span and of its source file removed as boilerplate.
CREATE OR REPLACE VIEW v_articles AS
SELECT
    a.article_id,
    a.source_id,
    a.source_path,
    a.ordinal,
    a.title,
    a.standfirst,
    a.body,
    s.collection,
    a.site,
    a.url,
    a.site_source,
    nullif(trim(a.outlet), '') AS outlet,
    a.outlet_source,
    a.authors,
    a.dateline,
    a.tags,
    a.published_date,
    a.published_time,
    a.published_date_source,
    a.language,
    a.language_prob,
    a.n_words,
    a.n_paragraphs,
    a.content_hash,
    a.run_id,
    a.ingested_at,
    CAST(timezone('UTC', a.ingested_at) AS DATE) AS ingest_date,
    c.cluster_id,
    c.is_canonical,
    c.match AS cluster_match,
    c.similarity AS cluster_similarity,
    c.cluster_size,
    s.status AS source_status,
    coalesce(s.status <> 'deleted', true) AS is_current,
    a.title_source,
    a.may_hold_two_pages,
    round(coalesce(ra.removed_chars, 0) / nullif(a.char_end - a.char_start, 0), 4) AS record_removed_share,
    round(coalesce(rs.removed_chars, 0) / nullif(s.n_chars, 0), 4) AS source_removed_share
FROM articles AS a
LEFT JOIN story_clusters AS c ON c.article_id = a.article_id
LEFT JOIN sources AS s ON s.source_id = a.source_id
LEFT JOIN (
    SELECT article_id, sum(char_end - char_start) AS removed_chars
    FROM removed_spans
    WHERE article_id IS NOT NULL
    GROUP BY article_id
) AS ra ON ra.article_id = a.article_id
LEFT JOIN (
    SELECT source_id, sum(char_end - char_start) AS removed_chars FROM removed_spans GROUP BY source_id
) AS rs ON rs.source_id = a.source_id
WHERE a.kind = 'article'
