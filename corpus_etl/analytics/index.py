"""The analytics index rows of articles: MinHash signatures, LSH band buckets and search postings.

Pure: computed in the batch workers (in parallel, written to staging Parquet beside the batch's other
tables) and, for articles no staging file covers (a warehouse upgraded to the analytics tables, a
quarantine replay), by ``warehouse.analytics`` in the flow process. Both produce the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .. import schema
from ..settings import DEFAULT_ANALYTICS
from . import minhash as mh
from .search import TOKENIZER_VERSION, term_counts
from .text import words

if TYPE_CHECKING:
    from ..settings import AnalyticsSettings

# The staging tables of a batch that carry analytics rows, and the warehouse table each one feeds.
STAGED: dict[str, schema.TableSpec] = {
    "minhash_signatures": schema.MINHASH_SIGNATURES,
    "lsh_buckets": schema.LSH_BUCKETS,
    "search_docs": schema.SEARCH_DOCS,
    "search_terms": schema.SEARCH_TERMS,
}


def wants_signature(kind: object, n_words: object, min_words: int = mh.MIN_WORDS) -> bool:
    """Whether an article takes part in near-duplicate detection (``analytics/to_index.sql``): an article of at
    least ``min_words`` words (the run's ``settings.analytics.min_words``)."""
    return kind == "article" and isinstance(n_words, int) and n_words >= min_words


def wants_search(kind: object) -> bool:
    """Whether an article is in the search index."""
    return kind == "article"


def index_tables(
    rows: Iterable[Mapping[str, Any]],
    run_id: str,
    want_sig: set[str] | None = None,
    want_search: set[str] | None = None,
    hashes_out: dict[str, Any] | None = None,
    with_shingles: bool = False,
    shingled_before: set[str] | None = None,
    params: AnalyticsSettings | None = None,
) -> dict[str, pa.Table]:
    """The index rows of ``rows`` (dicts with article_id, source_id, kind, n_words, title, body, content_hash).

    Args:
        rows: the articles.
        run_id: the run recorded on the rows.
        want_sig: ids to sign; None: every article ``wants_signature`` accepts.
        want_search: ids to index for search; None: every article ``wants_search`` accepts.
        hashes_out: if given, receives the shingle-hash set of every signed article.
        with_shingles: also return ``shingles`` (``schema.STAGED_SHINGLES``): each signed text's shingle
            hashes, once per content hash (the batch workers stage them for the writer).
        shingled_before: content hashes whose shingles an earlier call already returned (left out here);
            the content hashes returned now are added to it. A file's articles indexed in chunks with one
            such set give the rows of one call, in the same order.
        params: the near-duplicate index's parameters (the run's ``settings.analytics``); the defaults when None.

    Returns:
        Tables for ``minhash_signatures``, ``lsh_buckets``, ``search_docs`` and ``search_terms`` (and
        ``shingles``).
    """
    if params is None:
        params = DEFAULT_ANALYTICS
    k, seed, num_perm, version = params.shingle_words, params.seed, params.num_perm, params.index_version
    shingled: dict[str, Any] = {}
    sig_rows: dict[str, list[Any]] = {c: [] for c in schema.MINHASH_SIGNATURES.columns}
    buckets: dict[str, list[Any]] = {"band": [], "bucket": [], "article_id": []}
    docs: dict[str, list[Any]] = {c: [] for c in schema.SEARCH_DOCS.columns}
    postings: dict[str, list[Any]] = {"term": [], "article_id": [], "tf": []}
    # Postings and buckets go to Arrow every CHUNK_ROWS rows: as Python lists a 2 MB file's ~300,000
    # postings held ~25 MB at once (a str and list slots per row), as Arrow a tenth of it.
    chunks: dict[str, list[pa.Table]] = {"lsh_buckets": [], "search_terms": []}
    for row in rows:
        aid = row["article_id"]
        sign = (
            wants_signature(row.get("kind"), row.get("n_words"), params.min_words)
            if want_sig is None
            else aid in want_sig
        )
        search = wants_search(row.get("kind")) if want_search is None else aid in want_search
        if not (sign or search):
            continue
        body_words = words(row["body"])
        if sign:
            hashes = mh.hashes_of_words(body_words, k)
            if hashes_out is not None:
                hashes_out[aid] = hashes
            if with_shingles and (shingled_before is None or row["content_hash"] not in shingled_before):
                shingled.setdefault(row["content_hash"], hashes)
            sig = mh.signature(hashes, seed, num_perm)
            sig_rows["article_id"].append(aid)
            sig_rows["source_id"].append(row["source_id"])
            sig_rows["content_hash"].append(row["content_hash"])
            sig_rows["n_shingles"].append(int(hashes.size))
            sig_rows["signature"].append(sig)
            sig_rows["index_version"].append(version)
            sig_rows["run_id"].append(run_id)
            keys = mh.band_keys(sig, params.bands, params.rows)
            buckets["band"].extend(range(len(keys)))
            buckets["bucket"].extend(keys)
            buckets["article_id"].extend([aid] * len(keys))
        if search:
            tfs, length = term_counts(row["title"], row["body"], body_words)
            docs["article_id"].append(aid)
            docs["source_id"].append(row["source_id"])
            docs["length"].append(length)
            docs["index_version"].append(TOKENIZER_VERSION)
            docs["run_id"].append(run_id)
            postings["term"].extend(tfs.keys())
            postings["article_id"].extend([aid] * len(tfs))
            postings["tf"].extend(tfs.values())
            del tfs
        _flush(chunks["search_terms"], postings, schema.SEARCH_TERMS, CHUNK_ROWS)
        _flush(chunks["lsh_buckets"], buckets, schema.LSH_BUCKETS, CHUNK_ROWS)
    _flush(chunks["search_terms"], postings, schema.SEARCH_TERMS)
    _flush(chunks["lsh_buckets"], buckets, schema.LSH_BUCKETS)
    sigs = sig_rows.pop("signature")
    values = np.concatenate(sigs) if sigs else np.empty(0, dtype=np.uint32)
    offsets = np.arange(0, (len(sigs) + 1) * num_perm, num_perm, dtype=np.int32)
    sig_table = pa.table({**sig_rows, "signature": pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))})
    out = {
        "minhash_signatures": sig_table.select(schema.MINHASH_SIGNATURES.columns).cast(
            schema.MINHASH_SIGNATURES.schema
        ),
        "lsh_buckets": pa.concat_tables(chunks["lsh_buckets"]),
        "search_docs": pa.Table.from_pydict(docs, schema=schema.SEARCH_DOCS.schema),
        "search_terms": pa.concat_tables(chunks["search_terms"]),
    }
    if with_shingles:
        out["shingles"] = shingles_table(shingled, version)
        if shingled_before is not None:
            shingled_before.update(shingled)
    return out


CHUNK_ROWS = 1 << 16


def _flush(chunks: list[pa.Table], columns: dict[str, list[Any]], spec: schema.TableSpec, at_least: int = 0) -> None:
    """Move ``columns``' rows into a new Arrow table of ``chunks`` (once they hold ``at_least`` rows; the
    first table even when empty, so that ``pa.concat_tables`` has one), emptying the lists."""
    n = len(next(iter(columns.values())))
    if n < max(at_least, 1) and (chunks or at_least):
        return
    chunks.append(pa.Table.from_pydict(columns, schema=spec.schema))
    for values in columns.values():
        values.clear()


def shingles_table(sets: Mapping[str, Any], index_version: str = mh.INDEX_VERSION) -> pa.Table:
    """``schema.STAGED_SHINGLES`` rows of {content hash: sorted uint64 shingle hashes} made for ``index_version``."""
    arrays = list(sets.values())
    lengths = np.fromiter((a.size for a in arrays), dtype=np.int32, count=len(arrays))
    offsets = np.zeros(len(arrays) + 1, dtype=np.int32)  # (one file's texts: far below 2**31 hashes)
    np.cumsum(lengths, out=offsets[1:])
    values = np.concatenate(arrays) if arrays else np.empty(0, dtype=np.uint64)
    hashes = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.uint64()))
    return pa.table(
        {
            "content_hash": pa.array(list(sets.keys()), pa.string()),
            "hashes": hashes,
            "index_version": pa.array([index_version] * len(arrays), pa.string()),
        },
        schema=schema.STAGED_SHINGLES.schema,
    )
