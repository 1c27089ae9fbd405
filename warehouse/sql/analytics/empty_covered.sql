-- No article of the staged index is covered yet (no staged index files this run): an empty an_covered.
CREATE OR REPLACE TEMP TABLE an_covered (article_id VARCHAR)
