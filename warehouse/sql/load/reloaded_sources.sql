-- How many of the files this batch loaded anew the warehouse already has a row for (their old rows are replaced).
SELECT count(*) AS n FROM stg_sources AS s JOIN sources AS o ON o.source_id = s.source_id WHERE s.status = 'loaded'
