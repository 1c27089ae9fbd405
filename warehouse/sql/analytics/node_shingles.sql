-- Template: {files} is a list of quoted staging Parquet paths. The shingle hashes the batch workers staged for
-- the nodes of the linking graph: one row per node whose text a staging file of this run holds, at the current
-- index version (bound). Streamed once into the update's spool file (warehouse.analytics._HashCache).
SELECT n.node, any_value(s.hashes) AS hashes
FROM an_nodes AS n
JOIN read_parquet([{files}]) AS s ON s.content_hash = n.content_hash
WHERE s.index_version = ?
GROUP BY n.node
