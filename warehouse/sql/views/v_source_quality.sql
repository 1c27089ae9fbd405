-- One row per source file: its status and how much of it became clean, titled, language-tagged, unique
-- articles (quarantined share, shares of its characters inside accepted records and removed as boilerplate,
-- duplicates, articles whose page names no outlet: `outlet_source` 'none'). Group by collection for a corpus's
-- share: select collection, sum(n_outlet_none) / sum(n_article_records) from v_source_quality group by 1.
CREATE OR REPLACE VIEW v_source_quality AS
SELECT
    s.source_id,
    s.path,
    s.collection,
    s.status,
    s.error,
    s.format,
    s.encoding,
    s.n_chars,
    s.n_articles,
    s.n_quarantined,
    s.n_removed_spans,
    round(s.n_quarantined / nullif(s.n_articles + s.n_quarantined, 0), 3) AS quarantined_share,
    round(coalesce(a.record_chars, 0) / nullif(s.n_chars, 0), 3) AS record_chars_share,
    round(coalesce(r.removed_chars, 0) / nullif(s.n_chars, 0), 3) AS removed_chars_share,
    coalesce(a.n_untitled, 0) AS n_untitled,
    coalesce(a.n_und, 0) AS n_language_und,
    coalesce(d.n_duplicates, 0) AS n_duplicates,
    coalesce(a.n_article_records, 0) AS n_article_records,
    coalesce(a.n_outlet_none, 0) AS n_outlet_none,
    round(a.n_outlet_none / nullif(a.n_article_records, 0), 3) AS outlet_none_share,
    s.loaded_run_id,
    s.last_run_id
FROM sources AS s
LEFT JOIN (
    SELECT
        source_id,
        sum(char_end - char_start) AS record_chars,
        count(*) FILTER (WHERE kind = 'article' AND title IS NULL) AS n_untitled,
        count(*) FILTER (WHERE language = 'und') AS n_und,
        count(*) FILTER (WHERE kind = 'article') AS n_article_records,
        count(*) FILTER (WHERE kind = 'article' AND outlet_source = 'none') AS n_outlet_none
    FROM articles
    GROUP BY source_id
) AS a ON a.source_id = s.source_id
LEFT JOIN (
    SELECT source_id, count(*) AS n_duplicates FROM story_clusters WHERE NOT is_canonical GROUP BY source_id
) AS d ON d.source_id = s.source_id
LEFT JOIN (
    SELECT source_id, sum(char_end - char_start) AS removed_chars FROM removed_spans GROUP BY source_id
) AS r ON r.source_id = s.source_id
