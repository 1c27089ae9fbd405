-- Headline counts of the whole warehouse (one row).
SELECT (SELECT count(*) FROM runs) AS runs,
       (SELECT count(*) FROM runs WHERE status = 'failed') AS failed_runs,
       (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM quarantine) AS quarantined,
       (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM sources WHERE status = 'failed') AS failed_sources,
       (SELECT count(*) FROM removed_spans) AS removed_spans
