-- How many parts the candidate lists (an_lists) are read in (parts numbered from 1).
SELECT coalesce(max(part), 0) + 1 FROM an_lists
