-- Records whose body (content_hash) occurs more than once: groups, records in them, copies beyond the first.
SELECT count(*) AS groups, coalesce(sum(n), 0) AS records, coalesce(sum(n - 1), 0) AS extra_copies
FROM (SELECT count(*) AS n FROM articles GROUP BY content_hash HAVING count(*) > 1)
