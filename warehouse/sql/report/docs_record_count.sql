-- How many records run ? loaded, plus those it quarantined (run ? again).
SELECT (SELECT count(*) FROM articles WHERE run_id = ?) + (SELECT count(*) FROM quarantine WHERE run_id = ?) AS n
