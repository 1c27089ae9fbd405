-- Removed (boilerplate) spans per rule, the top ?.
SELECT rule, count(*) AS n, sum(char_end - char_start) AS chars
FROM removed_spans
GROUP BY rule
ORDER BY n DESC, rule
LIMIT ?
