-- The components the Python linker found (the registered an_comp_rows) as a temp table.
CREATE OR REPLACE TEMP TABLE an_comp AS SELECT node, comp FROM an_comp_rows
