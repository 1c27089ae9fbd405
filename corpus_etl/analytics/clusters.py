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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


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
    outlet: str | None


def outlet_for(outlet: str | None) -> str | None:
    """The article's outlet as its page names it (``articles.outlet``, stripped), or None: never a folder."""
    if outlet is not None and outlet.strip():
        return outlet.strip()
    return None


def canonical_key(m: Member) -> tuple[datetime, int, str, int, str]:
    """Sort key of the canonical rule: earliest ingested, then longest, then path, ordinal and id."""
    return (m.ingested_at, -m.n_words, m.source_path, m.ordinal, m.article_id)


def canonical(members: Iterable[Member]) -> Member:
    """The canonical member of a cluster (see ``canonical_key``)."""
    return min(members, key=canonical_key)


# A member is verified against at most this many members of one bucket's other components (it stops at the
# first match in each component, so near-duplicates cost one check): see ``BucketLinker``.
BUCKET_TRIES = 64


class BucketLinker:
    """Connected components of the near-duplicate graph, built bucket by bucket without listing pairs.

    Nodes are small ints (one per distinct text: byte-identical copies are one node, so n copies cost
    one). ``link_bucket`` takes the members of one LSH bucket and adds the verified edges that can still
    change the components: a pair already in one component is never verified (an edge inside a
    component changes nothing), a pair of two old nodes is never verified (earlier runs did; their
    components are given with ``union``), and a new node stops at its first match in each other
    component of the bucket. A bucket of k copies of one story so costs about k checks, not k^2/2, and
    nothing is held but the bucket being linked and one parent per node.

    The components are exactly those of the verified graph over the candidate pairs (any order of
    buckets and members gives the same components) as long as no node exhausts ``tries`` failed checks in
    one bucket: that takes a bucket of more than ``tries`` *different* texts that all share one band of four
    MinHash values yet are not near-duplicates of each other, which edited news copies do not produce
    (different stories share a band with probability < 0.003 at Jaccard 0.1) but a crafted input can. Then
    the node's remaining checks in that bucket are skipped (counted in ``capped``): a link may be missed,
    never a false one made, and the node's other bands still link it.
    """

    def __init__(self, n: int, tries: int = BUCKET_TRIES) -> None:
        self.parent = list(range(n))
        self.tries = tries
        self.checks = 0  # pairs verified
        self.capped = 0  # (node, bucket) whose checks stopped at ``tries``
        self.largest = 0  # most members of a bucket held at once

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Join the components of a and b; returns the root of the joined component (the smaller root)."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                ra, rb = rb, ra
            self.parent[ra] = rb
        return rb

    def connected(self, members: Sequence[int]) -> bool:
        """Whether all members are already in one component (the bucket can add nothing)."""
        r = self.find(members[0])
        return all(self.find(m) == r for m in members[1:])

    def link_bucket(self, members: Sequence[int], fresh: Sequence[bool], similar: Callable[[int, int], bool]) -> None:
        """Add the verified edges of one bucket.

        Args:
            members: the bucket's distinct nodes.
            fresh: per member, whether it is new in this update (an old-old pair is not verified).
            similar: the exact check of a pair of nodes (Jaccard >= the threshold).
        """
        self.largest = max(self.largest, len(members))
        order = sorted(range(len(members)), key=lambda i: (fresh[i], members[i]))  # old nodes first
        comps: list[list[int]] = []  # the bucket's members seen so far, by component (distinct roots)
        for i in order:
            m = members[i]
            root = self.find(m)
            joined = [j for j, xs in enumerate(comps) if self.find(xs[0]) == root]
            if fresh[i]:
                budget, skipped = self.tries, False
                for j, xs in enumerate(comps):
                    if self.find(xs[0]) == root:
                        continue
                    for x in xs:
                        if budget == 0:
                            skipped = True
                            break
                        budget -= 1
                        self.checks += 1
                        if similar(m, x):
                            root = self.union(m, x)
                            joined.append(j)
                            break
                    if skipped:
                        self.capped += 1
                        break
            if joined:
                merged = [m]
                for j in sorted(set(joined), reverse=True):
                    merged.extend(comps.pop(j))
                comps.append(merged)
            else:
                comps.append([m])

    def roots(self) -> list[int]:
        """The component (its root) of every node."""
        return [self.find(x) for x in range(len(self.parent))]
