-- The existing clusters holding a node, as (cluster, node) pairs: each is already a component.
SELECT dense_rank() OVER (ORDER BY c.cluster_id) AS cluster, n.node
FROM story_clusters AS c
JOIN minhash_signatures AS s ON s.article_id = c.article_id
JOIN an_nodes AS n ON n.content_hash = s.content_hash
ORDER BY cluster, n.node
