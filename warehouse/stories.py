"""The event stories writer: places the articles no story holds yet (``corpus_etl.analytics.events``).

Called by ``warehouse.analytics.update_analytics`` on its connection after the search index is up to date
and committed, outside any transaction: it commits the removal of stale rows, then each chunk of placed
articles, one transaction each (the index rows a first run adds, held uncommitted beside the stories' joins,
took 50 MB of generated stories over the update's memory limit). Incremental: placed articles keep their
story; rows of articles that left
``articles`` (or of another linking version) are dropped; every indexed article without a row is placed, in
the placing order (``stories/todo``), ``CHUNK`` articles at a time. For each chunk the dot products with the
stored vectors are computed in DuckDB (``stories/matches``) and only the pairs at or above the threshold come
back to Python, so memory is bounded by the chunk, not by the warehouse; the chunk's size changes no row (ties go
by article id, a syndication cluster's least placed member proposes, in a chunk or before it). The centroids of
the stories a chunk places into are kept for the chunks after it, up to ``CENTROID_CACHE_TERMS`` terms
(``CentroidCache``: what a read would return, so no row changes). The document
frequencies come from the search index (``search_terms``), which counts the same words over the same articles, plus
the shipped background's (``events.with_background``).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from typing import Any

import duckdb

from corpus_etl.analytics import events

from .db import fetch_dicts, quote_ident, registered, sql, transaction

CHUNK = 2000  # articles placed per read of their terms and of the stored vectors
CENTROID_CACHE_TERMS = 2_000_000  # centroid terms held between chunks (``CentroidCache``: about 17 bytes a term)


class CentroidCache:
    """The stored centroids of the stories an update's chunks placed articles in, held between its chunks, the
    least recently used dropped first once they hold more than ``max_terms`` terms.

    A story's chunks read its centroid from ``story_centroids`` (``stories/centroids``) and write it back when they
    change it; a story placed into again by a later chunk (copies of a story, a story's follow-ups) was read again
    each time: 7 of the 50 MB bench's 36 s of stories (its 753,559 centroid terms all fit). A held centroid is what
    a read would return, terms in term order (``put`` after the chunk's transaction commits;
    ``centroid_similarity`` sums its norm in that order), so what is held changes no row. Held compactly (the
    terms joined by NUL, which no term holds, and the weights as doubles: ~17 bytes a term against ~110 as a dict)
    and made a dict again when asked for.
    """

    def __init__(self, max_terms: int) -> None:
        self.max_terms = max_terms
        self._held: OrderedDict[str, tuple[str, array[float]]] = OrderedDict()
        self._terms = 0

    def get(self, story: str) -> dict[str, float] | None:
        """The held centroid of ``story`` (a new dict), or None."""
        held = self._held.get(story)
        if held is None:
            return None
        self._held.move_to_end(story)
        terms, weights = held
        return dict(zip(terms.split("\0"), weights, strict=True)) if weights else {}

    @staticmethod
    def pack(items: list[tuple[str, float]]) -> tuple[str, array[float]]:
        """A centroid's ``(term, weight)`` pairs (term order) as ``put`` holds them."""
        return "\0".join([t for t, _ in items]), array("d", [w for _, w in items])

    def put(self, story: str, packed: tuple[str, array[float]]) -> None:
        """Hold ``story``'s centroid as stored (``pack``ed), dropping the least recently used beyond
        ``max_terms``."""
        old = self._held.pop(story, None)
        if old is not None:
            self._terms -= len(old[1])
        self._held[story] = packed
        self._terms += len(packed[1])
        while self._terms > self.max_terms and len(self._held) > 1:
            _, (_, dropped) = self._held.popitem(last=False)
            self._terms -= len(dropped)


def update_stories(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Bring ``story_members`` and ``story_terms`` up to date with the search index: ``con`` must be in no
    transaction; each step commits its own (see the module doc).

    Returns:
        Counts: stories_placed (articles placed now), stories_removed (rows dropped), stories and
        story_members (totals after the update).
    """
    with transaction(con):
        con.execute(sql("stories/stale"), [events.STORY_VERSION])
        removed = _count(con, "st_stale")
        if removed:
            con.execute(sql("stories/subtract_stale"))
            con.execute(sql("stories/delete_stale_members"))
            con.execute(sql("stories/delete_stale_terms"))
            con.execute(sql("stories/delete_empty_centroids"))
        con.execute(sql("stories/todo"))
        todo = _count(con, "st_todo")
        n_docs = int(con.execute(sql("stories/n_docs")).fetchall()[0][0]) if todo else 0
        if todo:
            con.execute(sql("stories/df_todo"))
    cache = CentroidCache(CENTROID_CACHE_TERMS)
    for start in range(0, todo, CHUNK):
        _place_range(con, run_id, start, min(start + CHUNK, todo), n_docs, cache)
    stories, members = con.execute(sql("stories/totals")).fetchall()[0]
    return {
        "stories_placed": todo,
        "stories_removed": removed,
        "stories": int(stories),
        "story_members": int(members),
    }


def _place_range(
    con: duckdb.DuckDBPyConnection, run_id: str, start: int, stop: int, n_docs: int, cache: CentroidCache
) -> None:
    """Place the articles ``start``..``stop`` of the placing order in one transaction; when DuckDB runs out of
    memory on them (the matches' join of a chunk against a large warehouse: a 200 MB first run did, at the
    update's limit), roll back and place each half in turn, down to one article. The rows are the same: each
    half is placed after the one before it, and an article's matches do not depend on which of the articles placed
    before it are in its chunk (``StoryIndex.matches``)."""
    try:
        with transaction(con):
            written = _place_chunk(con, run_id, start, stop, n_docs, cache)
    except duckdb.OutOfMemoryException:
        if stop - start <= 1:
            raise
        mid = (start + stop) // 2
        _place_range(con, run_id, start, mid, n_docs, cache)
        _place_range(con, run_id, mid, stop, n_docs, cache)
        return
    for story, packed in written.items():  # (committed: what a read would now return)
        cache.put(story, packed)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(sql("analytics/count").format(table=quote_ident(table))).fetchall()[0][0])


def _place_chunk(
    con: duckdb.DuckDBPyConnection, run_id: str, start: int, stop: int, n_docs: int, cache: CentroidCache
) -> dict[str, tuple[str, array[float]]]:
    """Place the chunk's articles and write their rows; returns the centroids it wrote (``CentroidCache.pack``ed),
    for ``cache`` once the chunk's transaction has committed."""
    import pyarrow as pa  # lazy: pyarrow, numpy stay off the unchanged-rerun path

    from corpus_etl import schema  # lazy: as above

    rows = fetch_dicts(con, sql("stories/todo_terms"), [start, stop])
    tfs = [events.event_terms_of(zip(r.pop("terms"), r.pop("tfs"), strict=True)) for r in rows]
    terms = sorted({t for tf in tfs for t in tf})
    own = {t: int(n) for t, n in con.execute(sql("stories/df"), [terms]).fetchall()}
    df, n_all = events.with_background(own, n_docs, terms)
    idf_power = events.idf_weights(df, n_all, terms)  # (each distinct term's factor once, not once per article)
    docs = []
    for r, tf in zip(rows, tfs, strict=True):
        vec = events.weighted_vector(tf, idf_power)
        rare = events.rare_terms(vec, own, n_docs)
        docs.append(events.Doc(r["article_id"], r["published_date"], vec, rare, r["cluster_id"]))
    del rows, tfs, df, own, idf_power
    entries: dict[str, list[Any]] = {"term": [], "article_id": [], "weight": [], "rare": []}
    for d in docs:
        items = sorted(d.vector.items())
        entries["term"] += [t for t, _ in items]
        entries["article_id"] += [d.article_id] * len(items)
        entries["weight"] += [w for _, w in items]
        entries["rare"] += [True] * len(items) if d.rare is None else [t in d.rare for t, _ in items]
    chunk = pa.Table.from_pydict(entries, schema=schema.STORY_TERMS.schema.append(pa.field("rare", pa.bool_())))
    del entries
    stored: dict[str, list[events.Match]] = {}
    with registered(con, "st_chunk", chunk):
        query = sql("stories/matches").format(chunk=quote_ident("st_chunk"))
        bound = [events.SIM_SCALE, events.THRESHOLD * events.SIM_SCALE]
        for aid, placed_id, story, day, sim, top in con.execute(query, bound).fetchall():
            match = events.Match(placed_id, story, day, int(sim) / events.SIM_SCALE, int(top) / events.SIM_SCALE)
            stored.setdefault(aid, []).append(match)
        copies = _copies(con, {d.article_id: d.vector for d in docs})
    index = events.StoryIndex()
    wanted = sorted({m.story_id for ms in stored.values() for m in ms} | {m.story_id for m in copies.values()})
    unread = []
    for story in wanted:
        held = cache.get(story)
        if held is None:
            unread.append(story)
        else:
            index.set_centroid(story, held)
    for story, terms, weights in con.execute(sql("stories/centroids"), [unread]).fetchall():
        index.set_centroid(story, dict(zip(terms, weights, strict=True)))  # (in term order, as the rows were read)
    placed = index.place_all(docs, stored, copies)
    touched = sorted({p.story_id for p in placed})
    cent: dict[str, list[Any]] = {"story_id": [], "term": [], "weight": []}
    written = {}
    for story in touched:
        items = sorted(index.centroids[story].items())
        written[story] = CentroidCache.pack(items)
        cent["story_id"] += [story] * len(items)
        cent["term"] += [t for t, _ in items]
        cent["weight"] += [w for _, w in items]
    con.execute(sql("stories/delete_centroids"), [touched])
    _insert(con, "story_centroids", pa.Table.from_pydict(cent, schema=schema.STORY_CENTROIDS.schema))
    members: dict[str, list[Any]] = {c: [] for c in schema.STORY_MEMBERS.columns}
    for p in placed:
        members["article_id"].append(p.article_id)
        members["story_id"].append(p.story_id)
        members["matched_article_id"].append(p.matched_article_id)
        members["similarity"].append(p.similarity)
        members["story_version"].append(events.STORY_VERSION)
        members["run_id"].append(run_id)
    _insert(con, "story_members", pa.Table.from_pydict(members, schema=schema.STORY_MEMBERS.schema))
    _insert(con, "story_terms", chunk.drop_columns(["rare"]))
    return written


def _copies(con: duckdb.DuckDBPyConnection, vectors: dict[str, Any]) -> dict[str, events.Match]:
    """For each chunk article (``vectors``) in a syndication cluster, the cluster's placed member of the least article
    id among those placed before this chunk (``stories/copies``), scored in Python (``events.score_pair``: the same
    fixed-point sum as the SQL): ``StoryIndex.matches`` lets it propose when no member of a lesser id was placed in this
    chunk before the article (copies propose each other whatever their terms: ``events`` module doc, "Copies")."""
    query = sql("stories/copies").format(chunk=quote_ident("st_chunk"))
    out: dict[str, events.Match] = {}
    for aid, placed_id, story, day, terms, weights in con.execute(query).fetchall():
        sim, top = events.score_pair(vectors[aid], dict(zip(terms, weights, strict=True)))
        out[aid] = events.Match(placed_id, story, day, sim, top)
    return out


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: Any) -> None:
    if table.num_rows == 0:
        return
    with registered(con, f"stg_st_{name}", table) as staged:
        con.execute(sql("load/insert_staged").format(table=quote_ident(name), staged=quote_ident(staged)))
