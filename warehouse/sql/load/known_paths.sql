-- Files the warehouse knows and still considers present, for the deleted-file rule.
SELECT source_id, path FROM sources WHERE status <> 'deleted'
