UPDATE runs SET finished_at = ?, status = ?, error = ?, n_discovered = ?, n_skipped = ?, n_processed = ?, n_failed = ?, n_deleted = ?,
       n_records = ?, n_loaded = ?, n_quarantined = ?, n_removed_spans = ?, bytes_read = ?, seconds = ?, stage_seconds = ?
WHERE run_id = ?
