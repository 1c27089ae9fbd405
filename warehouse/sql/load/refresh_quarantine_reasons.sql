UPDATE quarantine SET failed_expectations = s.failed_expectations, quarantined_at = ?
FROM stg_still AS s WHERE quarantine.article_id = s.article_id
