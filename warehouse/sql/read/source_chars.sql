SELECT source_id, n_chars FROM sources
