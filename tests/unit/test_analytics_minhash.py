"""Near-duplicate detection and story clusters as pure functions: shingles, MinHash, LSH banding, components."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl.analytics import minhash as mh
from corpus_etl.analytics.clusters import BucketLinker, Member, canonical, outlet_for
from warehouse.db import sql

VOCAB = [f"w{i}" for i in range(40)]
texts = st.lists(st.sampled_from(VOCAB), min_size=0, max_size=60).map(" ".join)


# The from-scratch oracle the linker is checked against (plain union-find over string ids).
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


def _story(seed: int, n: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCAB + [f"x{i}" for i in range(2000)]) for _ in range(n)]


def edited(words: list[str], share: float, seed: int) -> list[str]:
    """A copy with ``share`` of its words replaced (a crude edit)."""
    rng = random.Random(seed)
    return [f"e{rng.randrange(10**6)}" if rng.random() < share else w for w in words]


def test_shingles_are_word_5_grams_ignoring_case_and_punctuation():
    assert mh.shingles("One two three four five six") == ["one two three four five", "two three four five six"]
    assert mh.shingles("ONE, two; three... four five six!") == mh.shingles("one two three four five six")
    assert mh.shingles("too short text") == ["too short text"]
    assert mh.shingles("") == [] and mh.shingles(" -- ") == []
    assert mh.shingles("a b c d e a b c d e") == ["a b c d e", "b c d e a", "c d e a b", "d e a b c", "e a b c d"]


@given(texts, texts)
@settings(max_examples=200, deadline=None)
def test_hashed_jaccard_is_the_jaccard_of_the_shingle_sets(a, b):
    sa, sb = set(mh.shingles(a)), set(mh.shingles(b))
    expected = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
    assert mh.jaccard(mh.shingle_hashes(a), mh.shingle_hashes(b)) == pytest.approx(expected)
    assert mh.shingle_hashes(a).size == len(sa)


@given(texts)
@settings(max_examples=50, deadline=None)
def test_signature_is_datasketch_minhash_and_deterministic(text):
    h = mh.shingle_hashes(text)
    ref = _datasketch(h)
    sig = mh.signature(h)
    assert sig.dtype == np.uint32 and sig.shape == (mh.NUM_PERM,)
    assert np.array_equal(sig, ref.hashvalues)
    assert mh.band_keys(sig) == mh.band_keys(mh.signature(mh.shingle_hashes(text)))


def _datasketch(h: np.ndarray):
    """datasketch 2.0.0's own MinHash of a shingle-hash set (the reference the numpy signature must equal)."""
    from datasketch import MinHash

    ref = MinHash(num_perm=mh.NUM_PERM, seed=mh.SEED, scheme="affine32", hashfunc=lambda x: x)
    ref.update_batch((h & np.uint64(0xFFFFFFFF)).astype(np.uint32).tolist())
    return ref


def test_numpy_signature_is_bit_identical_to_datasketch_on_many_texts():
    """Stored signatures and LSH buckets stay valid: empty, one-word, shorter-than-a-shingle, ordinary and
    long texts (longer than one permutation block), real news sentences with non-ASCII letters."""
    from datasketch import MinHash

    perm = MinHash(num_perm=mh.NUM_PERM, seed=mh.SEED, scheme="affine32").permutations
    assert np.array_equal(perm[0], mh.permutations()[0]) and np.array_equal(perm[1], mh.permutations()[1])
    rng = random.Random(7)
    vocab = [*VOCAB, "Zürich", "naïve", "東京", "Ελλάδα", "é", "I", "a"] + [f"x{i}" for i in range(5000)]
    lengths = [0, 1, 2, 3, 4, 5, 6, 7, 10, 20, 100, 500, 2000, mh.SIGN_CHUNK + 10, 3 * mh.SIGN_CHUNK + 1]
    texts = ["", " ", "--", "!!! ???", "one", "one two", "one two three four"]
    texts += [" ".join(rng.choice(vocab) for _ in range(n)) for n in lengths for _ in range(8)]
    texts += [" ".join(["same"] * n) for n in (1, 5, 6, 50)]
    for text in texts:
        h = mh.shingle_hashes(text)
        sig = mh.signature(h)
        assert sig.dtype == np.uint32 and sig.shape == (mh.NUM_PERM,)
        assert np.array_equal(sig, _datasketch(h).hashvalues), (len(text), h.size)
    # arbitrary 64-bit inputs, including the extremes of the low 32 bits
    for n in (1, 2, 17, 1000):
        h = np.array([rng.getrandbits(64) for _ in range(n)] + [0, 2**32 - 1, 2**64 - 1], dtype=np.uint64)
        assert np.array_equal(mh.signature(h), _datasketch(h).hashvalues)


def test_signature_estimates_jaccard():
    base = _story(1)
    for share in (0.02, 0.1, 0.3):
        a, b = mh.shingle_hashes(" ".join(base)), mh.shingle_hashes(" ".join(edited(base, share, 2)))
        exact = mh.jaccard(a, b)
        estimate = float(np.mean(mh.signature(a) == mh.signature(b)))
        assert abs(estimate - exact) < 0.15, (share, exact, estimate)


def test_band_keys_agree_exactly_where_the_bands_agree():
    s1 = mh.signature(mh.shingle_hashes(" ".join(_story(3))))
    s2 = s1.copy()
    s2[5] ^= 1  # band 1 (rows 4-7) differs
    k1, k2 = mh.band_keys(s1), mh.band_keys(s2)
    assert len(k1) == mh.BANDS
    assert [i for i in range(mh.BANDS) if k1[i] != k2[i]] == [1]
    assert all(-(2**63) <= k < 2**63 for k in k1)


def test_in_memory_lsh_matches_datasketch_minhashlsh():
    from datasketch import MinHashLSH

    docs = {}
    for s in range(12):
        base = _story(100 + s)
        docs[f"s{s}"] = base
        docs[f"s{s}-light"] = edited(base, 0.03, s)
        docs[f"s{s}-heavy"] = edited(base, 0.4, s)
    hashes = {k: mh.shingle_hashes(" ".join(v)) for k, v in docs.items()}
    sigs = {k: _datasketch(h) for k, h in hashes.items()}
    lsh = MinHashLSH(num_perm=mh.NUM_PERM, params=(mh.BANDS, mh.ROWS))
    for k, m in sigs.items():
        lsh.insert(k, m)
    ref = {tuple(sorted((k, o))) for k, m in sigs.items() for o in lsh.query(m) if o != k}
    ours = mh.candidate_pairs({k: mh.band_keys(mh.signature(h)) for k, h in hashes.items()})
    assert ours == ref
    similar = mh.similar_pairs(ours, hashes)
    assert {f"s{s}" for s in range(12)} <= {a for a, _ in similar} | {b for _, b in similar}
    assert all(a.split("-")[0] == b.split("-")[0] for a, b in similar)  # never across stories
    assert all(j >= mh.THRESHOLD for j in similar.values())


def test_lsh_parameters_favour_recall_at_the_threshold():
    assert mh.BANDS * mh.ROWS == mh.NUM_PERM == 128
    assert mh.candidate_probability(0.5) == pytest.approx(0.873, abs=0.001)
    assert mh.candidate_probability(0.6) > 0.98 and mh.candidate_probability(0.7) > 0.999
    assert mh.candidate_probability(0.1) < 0.005 and mh.candidate_probability(0.01) < 1e-6
    # datatrove (14 x 8) and NeMo Curator (20 x 13) would miss most edited copies at J = 0.5-0.6
    assert mh.candidate_probability(0.6, 14, 8) < 0.25 and mh.candidate_probability(0.6, 20, 13) < 0.03


def test_similar_pairs_threshold_and_content_hash():
    a = mh.shingle_hashes("alpha beta gamma delta epsilon zeta eta theta")
    b = mh.shingle_hashes("alpha beta gamma delta epsilon zeta eta iota")
    c = mh.shingle_hashes("one two three four five six seven eight")
    hashes = {"a": a, "b": b, "c": c, "c2": c}
    assert mh.jaccard(a, b) == pytest.approx(3 / 5)
    got = mh.similar_pairs([("b", "a"), ("a", "c"), ("c", "c2")], hashes, {"c": "h", "c2": "h"})
    assert got == {("a", "b"): pytest.approx(0.6), ("c", "c2"): 1.0}
    assert mh.similar_pairs([("a", "b")], hashes, threshold=0.61) == {}


def _m(aid: str, minutes: int = 0, n_words: int = 100, path: str = "/x/a.txt", ordinal: int = 0) -> Member:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Member(aid, "s", path, ordinal, n_words, "h" + aid, at, "o")


def test_canonical_is_earliest_then_longest_then_path():
    assert canonical([_m("a", 5, 900), _m("b", 0, 100), _m("c", 0, 50)]).article_id == "b"
    assert canonical([_m("a", 0, 100), _m("b", 0, 300)]).article_id == "b"
    assert canonical([_m("a", 0, 100, "/z.txt"), _m("b", 0, 100, "/y.txt")]).article_id == "b"
    assert canonical([_m("b", 0, 100, "/y.txt", 1), _m("a", 0, 100, "/y.txt", 1)]).article_id == "a"


@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=30))
def test_components_match_a_reachability_closure(edges):
    nodes = [str(i) for i in range(16)]
    es = [(str(a), str(b)) for a, b in edges]
    comps = components(nodes, es)
    assert sorted(x for c in comps for x in c) == sorted(nodes)
    reach = {n: {n} for n in nodes}
    changed = True
    while changed:
        changed = False
        for a, b in es:
            u = reach[a] | reach[b]
            for n in u:
                if reach[n] != u:
                    reach[n] = u
                    changed = True
    for c in comps:
        assert set(c) == reach[c[0]]
    uf = UnionFind()
    assert uf.groups() == []


@pytest.mark.parametrize(
    ("outlet", "path", "expected"),
    [
        ("The Canadian Press", "/a/b/c.txt", "The Canadian Press"),
        (" Reuters ", "/a/b/c.txt", "Reuters"),
        (None, "/data/bbc/business/001.txt", None),
        ("  ", "/data/wire/x.txt", None),
        (None, "C:\\feeds\\reuters\\x.txt", None),
    ],
)
def test_outlet_rule_is_the_same_in_python_and_in_the_views_and_never_a_folder(outlet, path, expected):
    assert outlet_for(outlet) == expected
    # the SQL expression of v_articles, v_story_members and v_wire_paragraphs
    for name in ("v_articles", "v_story_members", "v_wire_paragraphs"):
        view = sql(f"views/{name}")
        m = re.search(r"(\S+(?:\([^)]*\))?(?:[^\n]*?)) AS outlet\b", view)
        assert m, name
        expr = m.group(1).strip()
        con = duckdb.connect()
        got = con.execute(
            f"SELECT {expr} FROM (SELECT ?::VARCHAR AS outlet, ?::VARCHAR AS source_path) AS a", [outlet, path]
        )
        assert got.fetchone() == (expected,), name


@st.composite
def bucket_graphs(draw):
    """Nodes (some old), LSH-like buckets over them and a symmetric similarity relation."""
    n = draw(st.integers(2, 25))
    buckets = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=2, max_size=12, unique=True), max_size=12))
    similar = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    old = draw(st.sets(st.integers(0, n - 1)))
    return n, buckets, {(min(a, b), max(a, b)) for a, b in similar if a != b}, old


@given(bucket_graphs(), st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_bucket_linker_gives_the_components_of_the_verified_candidate_graph(graph, rnd):
    """Skipping pairs already connected, old-old pairs (given as components) and all but the first match per
    component leaves the components of the verified candidate graph, in any order of buckets and members."""
    n, buckets, similar, old = graph
    edges = {(min(a, b), max(a, b)) for b_ in buckets for a in b_ for b in b_ if a != b} & similar
    expected = components([str(x) for x in range(n)], [(str(a), str(b)) for a, b in edges])
    linker = BucketLinker(n)
    old_edges = [(a, b) for a, b in edges if a in old and b in old]  # what earlier runs found
    for a, b in old_edges:
        linker.union(a, b)
    order = list(buckets)
    rnd.shuffle(order)
    for members in order:
        members = list(members)
        rnd.shuffle(members)
        linker.link_bucket(members, [m not in old for m in members], lambda a, b: (min(a, b), max(a, b)) in similar)
    roots = linker.roots()
    got = components([str(x) for x in range(n)], [(str(x), str(roots[x])) for x in range(n)])
    assert got == expected
    assert linker.capped == 0


def test_bucket_linker_costs_about_one_check_per_copy_and_caps_a_bucket_of_strangers():
    linker = BucketLinker(5000)
    calls = []

    def same(a, b):
        calls.append((a, b))
        return True

    for _band in range(32):  # 5,000 near-identical texts in every band's bucket
        linker.link_bucket(list(range(5000)), [True] * 5000, same)
    assert len(set(linker.roots())) == 1
    assert linker.checks == len(calls) == 4999  # one per text, and nothing after the first band
    strangers = BucketLinker(1000, tries=64)
    strangers.link_bucket(list(range(1000)), [True] * 1000, lambda a, b: False)
    assert strangers.checks <= 64 * 1000 and strangers.capped > 0
    assert len(set(strangers.roots())) == 1000  # a capped bucket misses links, never makes one
