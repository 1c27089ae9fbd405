-- title: Longest wire paragraphs
-- Paragraphs carried word for word by more than one source file (wire copy), longest first, with the
-- files and outlets that carry them.
-- param: limit = 20
SELECT n_words, n_sources, outlets, source_paths, text
FROM v_wire_paragraphs
ORDER BY n_words DESC, n_sources DESC, paragraph_hash
LIMIT ?
