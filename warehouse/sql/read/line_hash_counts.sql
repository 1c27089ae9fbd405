-- Learned boilerplate: per outlet (its folder) and line hash, the distinct files of earlier runs holding the line,
-- for the outlets of this run (?1) and without the files this run processes again (?2).
SELECT folder, line_hash, count(DISTINCT source_id) AS n_files
FROM line_hashes
WHERE list_contains(?, folder) AND NOT list_contains(?, source_id)
GROUP BY folder, line_hash
ORDER BY folder, line_hash
