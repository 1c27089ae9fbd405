-- Per source file, worst first (failed, then most quarantined, then no records), the top ?.
SELECT path, status, format, n_articles, n_quarantined, n_removed_spans, error
FROM sources
ORDER BY status = 'failed' DESC, n_quarantined DESC, (n_articles = 0 AND status <> 'failed') DESC,
         n_removed_spans DESC, path
LIMIT ?
