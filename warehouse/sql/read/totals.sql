SELECT (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM quarantine) AS quarantined
