-- Document frequency (``st_df``, see df_todo) of a bound list of terms.
SELECT term, df FROM st_df WHERE term IN (SELECT unnest(?::VARCHAR[]))
