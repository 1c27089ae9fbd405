-- title: Boilerplate removed per rule
-- How much text each boilerplate rule removed, in how many files, with an example (database only: the
-- removed spans are not in the Parquet copy).
SELECT
    rule,
    count(*) AS n_spans,
    count(DISTINCT source_id) AS n_sources,
    sum(char_end - char_start) AS n_chars,
    arg_max(left(replace(text, chr(10), ' '), 80), char_end - char_start) AS longest_example
FROM removed_spans
GROUP BY rule
ORDER BY n_chars DESC, rule
