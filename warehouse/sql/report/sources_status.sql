-- Source files per status.
SELECT status, count(*) AS n FROM sources GROUP BY status ORDER BY n DESC, status
