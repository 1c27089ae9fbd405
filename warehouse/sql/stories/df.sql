-- Document frequency, over the search index, of a bound list of terms.
SELECT term, count(*) AS df
FROM search_terms
WHERE term IN (SELECT unnest(?::VARCHAR[]))
GROUP BY term
