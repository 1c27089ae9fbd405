-- The body standing for each node in a bound list (its representative article's).
SELECT n.node, a.body FROM an_nodes AS n JOIN articles AS a ON a.article_id = n.rep WHERE n.node IN (SELECT unnest(?::BIGINT[]))
