-- Documents the document frequencies count over: the search index's articles.
SELECT count(*) FROM search_docs
