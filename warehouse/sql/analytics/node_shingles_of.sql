-- The staged shingle hashes of the nodes in a bound list (those an_node_shingles holds).
SELECT node, hashes FROM an_node_shingles WHERE node IN (SELECT unnest(?::BIGINT[]))
