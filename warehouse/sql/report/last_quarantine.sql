-- Quarantined records of run ?, with the removed span just before each (often a lost headline); the first ?.
SELECT q.title, q.source_path, q.ordinal, q.kind, q.n_words, q.failed_expectations,
       left(q.body, 240) AS preview,
       s.rule AS before_rule,
       left(s.text, 240) AS before_text,
       count(*) OVER () AS total
FROM quarantine AS q
LEFT JOIN removed_spans AS s
       ON s.source_id = q.source_id AND s.char_end = q.char_start AND s.article_id IS NULL
WHERE q.run_id = ?
ORDER BY q.source_path, q.ordinal
LIMIT ?
