SELECT run_id, status, started_at, round(seconds, 1) AS seconds, n_discovered AS discovered, n_skipped AS skipped,
       n_processed AS processed, n_failed AS failed, n_loaded AS loaded, n_quarantined AS quarantined,
       n_removed_spans AS removed_spans,
       json_extract_string(settings_json, '$.rules_version') AS rules,
       coalesce(json_extract(settings_json, '$.reprocess')::BOOLEAN, false) AS reprocess
FROM runs ORDER BY started_at DESC LIMIT ?
