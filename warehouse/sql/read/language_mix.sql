SELECT language, count(*) AS n FROM articles WHERE run_id = ? GROUP BY language ORDER BY n DESC, language
