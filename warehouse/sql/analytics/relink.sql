-- The articles to link: the newly signed ones and the survivors of dissolved clusters.
CREATE OR REPLACE TEMP TABLE an_relink AS
SELECT article_id FROM an_sig_todo
UNION
SELECT article_id FROM an_survivors
