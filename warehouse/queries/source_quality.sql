-- title: Weakest sources
-- Source files ranked by how little of them became accepted articles: quarantined records, characters
-- outside records, untitled articles, undetected languages, duplicates.
-- param: limit = 20
SELECT
    path,
    status,
    n_articles,
    n_quarantined,
    quarantined_share,
    record_chars_share,
    n_untitled,
    n_language_und,
    n_duplicates,
    error
FROM v_source_quality
ORDER BY record_chars_share NULLS FIRST, quarantined_share DESC NULLS LAST, path
LIMIT ?
