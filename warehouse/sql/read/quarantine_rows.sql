SELECT * FROM quarantine ORDER BY source_path, ordinal
