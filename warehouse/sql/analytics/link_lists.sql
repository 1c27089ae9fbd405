-- The useful buckets as lists of nodes (old ones first), each distinct list once (near-identical copies share
-- most of their 32 bands), in the order of their nodes so that overlapping lists are read together, and cut
-- into parts of about ? member entries (a list longer than that is a part of its own).
CREATE OR REPLACE TEMP TABLE an_lists AS
WITH lists AS (
    SELECT DISTINCT
        list(n.node ORDER BY m.fresh, n.node) AS nodes,
        list(m.fresh ORDER BY m.fresh, n.node) AS fresh
    FROM an_bucket_members AS m JOIN an_nodes AS n ON n.content_hash = m.content_hash
    GROUP BY m.band, m.bucket
), ordered AS (
    SELECT nodes, fresh, list_sort(nodes) AS k FROM lists
)
SELECT nodes, fresh, k,
       -- the entries before this list, in parts of ? (NULL for the first list: part 0)
       (sum(len(nodes)) OVER (ORDER BY k, fresh ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) // ?)::BIGINT AS part
FROM ordered
