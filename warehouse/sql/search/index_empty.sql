-- Whether the search index holds no article (`corpus-etl analytics` builds it).
SELECT count(*) = 0 FROM search_docs
