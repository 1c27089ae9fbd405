INSERT INTO runs (run_id, flow_name, started_at, status, sources_requested, n_discovered, n_skipped, n_processed,
                  n_failed, n_records, n_loaded, n_quarantined, n_removed_spans, bytes_read, settings_json)
VALUES (?, ?, ?, 'running', ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?)
