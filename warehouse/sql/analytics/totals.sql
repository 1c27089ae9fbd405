-- Size of the analytics indexes after an update.
SELECT
    (SELECT count(*) FROM minhash_signatures) AS signatures,
    (SELECT count(DISTINCT cluster_id) FROM story_clusters) AS clusters,
    (SELECT count(*) FROM story_clusters) AS cluster_members,
    (SELECT count(*) FROM search_docs) AS search_docs
