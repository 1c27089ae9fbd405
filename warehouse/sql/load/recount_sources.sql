-- Keep the per-source counts in step after records moved between quarantine and articles.
UPDATE sources SET
    n_articles = (SELECT count(*) FROM articles AS a WHERE a.source_id = sources.source_id),
    n_quarantined = (SELECT count(*) FROM quarantine AS q WHERE q.source_id = sources.source_id)
WHERE status <> 'failed' OR loaded_run_id IS NOT NULL
