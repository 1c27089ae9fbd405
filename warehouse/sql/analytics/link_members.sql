-- The members of the components (an_comp: node -> component) that are new or changed clusters: every
-- signed article of their texts, with its existing cluster row if any. A component equal to an existing
-- cluster (same members, nothing joined, nothing left) is left out: it is not rewritten. Numbered by
-- component (grp) so they can be read in ranges.
CREATE OR REPLACE TEMP TABLE an_members AS
WITH g AS (
    SELECT s.article_id, c.comp, n.node,
           o.cluster_id AS old_cluster, o.match AS old_match, o.similarity AS old_similarity,
           o.cluster_size AS old_size
    FROM an_comp AS c
    JOIN an_nodes AS n ON n.node = c.node
    JOIN minhash_signatures AS s ON s.content_hash = n.content_hash
    LEFT JOIN story_clusters AS o ON o.article_id = s.article_id
), changed AS (
    SELECT comp FROM g GROUP BY comp
    HAVING count(*) >= 2
       AND NOT (count(DISTINCT old_cluster) = 1 AND count(old_cluster) = count(*) AND max(old_size) = count(*))
)
SELECT g.*, (dense_rank() OVER (ORDER BY g.comp) - 1)::BIGINT AS grp FROM g WHERE g.comp IN (SELECT comp FROM changed)
