-- The members of the changed components in a range [?, ?) of grp, with what the canonical rule and the
-- story_clusters row need.
SELECT m.grp, m.node, m.old_cluster, m.old_match, m.old_similarity,
       a.article_id, a.source_id, a.source_path, a.ordinal, a.n_words, a.content_hash, a.ingested_at, a.outlet
FROM an_members AS m JOIN articles AS a ON a.article_id = m.article_id
WHERE m.grp >= ? AND m.grp < ?
ORDER BY m.grp, a.article_id
