"""Story clusters: connected components of the near-duplicate graph, with a canonical member each.

A cluster is a connected component (of two or more articles) of the graph whose edges are the
verified pairs of ``corpus_etl.analytics.minhash.similar_pairs`` (single linkage, as in datatrove and
NeMo Curator): a revised copy of a revised copy joins the story's cluster. Each member records its own
similarity to the canonical member, so a chain is visible.

The canonical member is the earliest ingested article, then the longest (most words), then the first
by source path and ordinal (a total order, so the choice is deterministic). The cluster id is the
canonical member's article id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Member:
    """What the canonical rule and the ``story_clusters`` row need to know of an article."""

    article_id: str
    source_id: str
    source_path: str
    ordinal: int
    n_words: int
    content_hash: str
    ingested_at: datetime
    outlet: str


def outlet_for(outlet: str | None, source_path: str) -> str:
    """The article's outlet (from its byline), else the name of its source file's directory."""
    if outlet is not None and outlet.strip():
        return outlet.strip()
    return PurePosixPath(source_path.replace("\\", "/")).parent.name


def canonical_key(m: Member) -> tuple[datetime, int, str, int, str]:
    """Sort key of the canonical rule: earliest ingested, then longest, then path, ordinal and id."""
    return (m.ingested_at, -m.n_words, m.source_path, m.ordinal, m.article_id)


def canonical(members: Iterable[Member]) -> Member:
    """The canonical member of a cluster (see ``canonical_key``)."""
    return min(members, key=canonical_key)


class UnionFind:
    """Disjoint sets of string ids (path halving, union by size)."""

    def __init__(self, items: Iterable[str] = ()) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}
        for x in items:
            self.add(x)

    def add(self, x: str) -> None:
        if x not in self._parent:
            self._parent[x] = x
            self._size[x] = 1

    def find(self, x: str) -> str:
        self.add(x)
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]

    def groups(self) -> list[list[str]]:
        """Every set, each sorted, in order of its smallest id."""
        out: dict[str, list[str]] = {}
        for x in self._parent:
            out.setdefault(self.find(x), []).append(x)
        return sorted((sorted(g) for g in out.values()), key=lambda g: g[0])


def components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of a graph (each sorted, in order of its smallest id), singletons included."""
    uf = UnionFind(nodes)
    for a, b in edges:
        uf.union(a, b)
    return uf.groups()
