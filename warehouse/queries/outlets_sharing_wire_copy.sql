-- title: Outlets sharing wire copy
-- Pairs of source files that carry the same paragraphs, with how many and how many words: who
-- republishes whom.
SELECT
    a.path AS source_a,
    b.path AS source_b,
    count(*) AS n_shared_paragraphs,
    sum(w.n_words) AS n_shared_words
FROM v_wire_paragraphs AS w,
    unnest(w.source_paths) AS a(path),
    unnest(w.source_paths) AS b(path)
WHERE a.path < b.path
GROUP BY ALL
ORDER BY n_shared_words DESC, source_a, source_b
