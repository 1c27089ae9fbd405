SELECT regexp_extract(source_path, '[^/]*$') AS file, ordinal, kind, title, n_words,
       array_to_string(failed_expectations, '; ') AS failed, run_id
FROM quarantine ORDER BY quarantined_at DESC, source_path, ordinal LIMIT ?
