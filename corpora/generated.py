"""The benchmark's generated corpora (``bench/``): Reuters-21578 and BBC stories from ../shared dealt into files of
three styles (plain, separator lines, web-page chrome) until a size is reached, and the peers' corpus (5-40 stories
a file joined by two blank lines). Pure and deterministic: the same stories and seed give the same bytes; a corpus
is written once with a manifest and reused while its key and files are unchanged."""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpora.bbc import bbc_articles
from corpora.reuters import parse_reuters as reuters_records

SEED = 20261122
BUILDER_VERSION = 1  # bump when the corpus builder changes: existing corpora are rebuilt
MB = 1_000_000
MIN_FILE_BYTES = 2_000
MAX_FILE_BYTES = 2_000_000
MIN_STORY_WORDS = 10

STYLES = ("plain", "separator", "chrome")
SEPARATOR_LINES = ("-----", "|||||")
CHROME_PAGE_START = ("Skip to main content", "Skip to content")
CHROME_AD = ("Story continues below advertisement", "Advertisement")
CHROME_TAGS = ("Tag: markets", "Tags: economy, trade", "Tag: politics", "Tags: technology, business", "Tag: sport")
CHROME_READ_MORE = ("Read more", "Continue reading")
CHROME_COPYRIGHT = ("Copyright © 2024 Example News", "© 2024 Example News. All rights reserved.")

Log = Callable[[str], None]


# ==================================================================================================
# Source stories (Reuters-21578 and BBC News, read from ../shared/corpora)


@dataclass(frozen=True)
class Story:
    """One real article: an id naming where it came from, its title and its body paragraphs."""

    sid: str
    title: str
    paragraphs: tuple[str, ...]


_BLANK = re.compile(r"\n[ \t]*\n")


def parse_reuters(sgml: str, name: str = "") -> list[Story]:
    """The stories of one ``reut2-NNN.sgm`` text (decoded as Latin-1) that have a TITLE and a BODY.

    Parsed by ``corpora.reuters.parse_reuters``, as the eval does (DATELINE + BODY as on the wire, entities
    unescaped, ``\\x03`` and the trailing "Reuter" sign-off removed, paragraphs separated by a blank line).
    Stories of fewer than ``MIN_STORY_WORDS`` words are left out.
    """
    out: list[Story] = []
    for newid, title, body in reuters_records(sgml):
        paragraphs = body.split("\n\n")
        if sum(len(p.split()) for p in paragraphs) >= MIN_STORY_WORDS:
            out.append(Story(f"reuters/{name}#{newid}", title, tuple(paragraphs)))
    return out


def reuters_stories(shared: Path) -> list[Story]:
    """All usable stories of the 22 Reuters-21578 ``.sgm`` files, in file order."""
    out: list[Story] = []
    for path in sorted((shared / "corpora" / "reuters21578").glob("reut2-*.sgm")):
        out.extend(parse_reuters(path.read_bytes().decode("latin-1"), path.stem))
    return out


def bbc_stories(shared: Path) -> tuple[list[Story], int]:
    """The BBC articles (line 1 = title; ``corpora.bbc.bbc_articles``: byte-identical duplicate files dropped) with a
    title and a body, the body cut into paragraphs at blank lines; and how many duplicates were dropped."""
    articles, dropped = bbc_articles(shared)
    out: list[Story] = []
    for sid, _, title, body in articles:
        paragraphs = tuple(p.strip() for p in _BLANK.split(body) if p.strip())
        if title and paragraphs:
            out.append(Story(f"bbc/{sid}", title, paragraphs))
    return out, dropped


@dataclass
class StoryPool:
    """The stories a corpus is built from, with where they came from."""

    stories: list[Story]
    fingerprint: str  # sha256 of the input files' names and sizes: a changed input rebuilds the corpora
    facts: dict[str, Any]


def load_stories(shared: Path) -> StoryPool:
    """Read Reuters and BBC stories from ``shared/corpora`` (and their PROVENANCE.txt)."""
    corpora = shared / "corpora"
    reuters = reuters_stories(shared)
    bbc, dropped = bbc_stories(shared)
    inputs = sorted([*(corpora / "reuters21578").glob("reut2-*.sgm"), *(corpora / "bbc_news" / "bbc").glob("*/*.txt")])
    digest = hashlib.sha256()
    for p in inputs:
        digest.update(f"{p.relative_to(corpora)}\t{p.stat().st_size}\n".encode())
    provenance = {}
    for name in ("reuters21578", "bbc_news"):
        prov = corpora / name / "PROVENANCE.txt"
        if prov.is_file():
            provenance[name] = prov.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    facts = {
        "reuters_stories": len(reuters),
        "bbc_articles": len(bbc),
        "bbc_duplicates_dropped": dropped,
        "pool_bytes": sum(len(s.title) + sum(len(p) + 2 for p in s.paragraphs) for s in [*reuters, *bbc]),
        "provenance": provenance,
    }
    return StoryPool([*reuters, *bbc], digest.hexdigest()[:16], facts)


# ==================================================================================================
# Corpus builder (pure and deterministic: the same stories and seed give the same bytes)


@dataclass
class CorpusFile:
    """One generated file and what went into it."""

    name: str  # relative path inside the corpus directory
    data: bytes
    style: str  # plain | separator | chrome
    separator: str | None
    article_keys: list[bytes] = field(default_factory=list)  # digest of each article's title + body
    story_ids: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # each article's body paragraphs as the file prints them


class _Deck:
    """Deals story indexes: every story once per pass, each pass in a new random order."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n = n
        self.rng = rng
        self.order: list[int] = []
        self.passes = 0

    def draw(self) -> tuple[int, int]:
        """The next story index and the pass it belongs to (0 = first time the story is dealt)."""
        if not self.order:
            self.order = list(range(self.n))
            self.rng.shuffle(self.order)
            self.passes += 1
        return self.order.pop(), self.passes - 1


def variant_paragraphs(paragraphs: tuple[str, ...], pass_no: int, rng: random.Random) -> tuple[str, ...]:
    """The paragraphs of one appearance of a story: the whole story the first time; later, with three or
    more paragraphs, the whole story or the story without one paragraph (chosen at random)."""
    if pass_no == 0 or len(paragraphs) < 3:
        return paragraphs
    drop = rng.randrange(-1, len(paragraphs))
    return paragraphs if drop < 0 else paragraphs[:drop] + paragraphs[drop + 1 :]


def render_article(title: str, paragraphs: Sequence[str], style: str, rng: random.Random) -> tuple[str, str]:
    """The article as it appears in a file of ``style``, and its core text (title and body, no chrome).

    A chrome page opens with a skip link, may carry an advertisement line between two paragraphs, and
    may end with a tag line, a "Read more" line and a copyright line (blocks separated by blank lines).
    """
    core = title + "\n\n" + "\n\n".join(paragraphs)
    if style != "chrome":
        return core, core
    blocks = [rng.choice(CHROME_PAGE_START), title]
    body = list(paragraphs)
    if len(body) >= 2 and rng.random() < 0.7:
        body.insert(rng.randint(1, len(body) - 1), rng.choice(CHROME_AD))
    blocks.extend(body)
    if rng.random() < 0.6:
        blocks.append(rng.choice(CHROME_TAGS))
    if rng.random() < 0.5:
        blocks.append(rng.choice(CHROME_READ_MORE))
    if rng.random() < 0.7:
        blocks.append(rng.choice(CHROME_COPYRIGHT))
    return "\n\n".join(blocks), core


def generate_corpus(
    stories: Sequence[Story],
    total_bytes: int,
    seed: int = SEED,
    min_file: int = MIN_FILE_BYTES,
    max_file: int = MAX_FILE_BYTES,
) -> Iterator[CorpusFile]:
    """Generate files until they hold ``total_bytes`` bytes (UTF-8).

    Each file gets a size drawn log-uniformly from ``[min_file, max_file]`` (capped by what is left),
    a style in turn (plain: articles joined by a blank line; separator: joined by a ``-----`` or
    ``|||||`` line, one kind per file; chrome: every article a web page with chrome lines), and the next
    stories from the deck until it reaches its size. Stories repeat once the pool is used up, in a new
    order and grouping each pass, and from the second pass on a long story may lose one paragraph.
    """
    if not stories:
        raise ValueError("no stories to build a corpus from")
    rng = random.Random(seed)
    deck = _Deck(len(stories), rng)
    lo, hi = math.log(min_file), math.log(max_file)
    first_style = rng.randrange(len(STYLES))
    produced = 0
    index = 0
    while produced < total_bytes:
        target = max(min_file, min(int(math.exp(rng.uniform(lo, hi))), total_bytes - produced))
        style = STYLES[(first_style + index) % len(STYLES)]
        separator = rng.choice(SEPARATOR_LINES) if style == "separator" else None
        joiner = f"\n\n{separator}\n\n" if separator else "\n\n"
        out = CorpusFile(f"p{index // 100:03d}/f{index:05d}.txt", b"", style, separator)
        pieces: list[str] = []
        size = 1  # the final newline
        while not pieces or size < target:
            k, pass_no = deck.draw()
            story = stories[k]
            paragraphs = variant_paragraphs(story.paragraphs, pass_no, rng)
            text, core = render_article(story.title, paragraphs, style, rng)
            size += len(text.encode("utf-8")) + (len(joiner) if pieces else 0)
            pieces.append(text)
            out.article_keys.append(hashlib.blake2b(core.encode("utf-8"), digest_size=8).digest())
            out.story_ids.append(story.sid)
            out.bodies.append("\n\n".join(paragraphs))
        out.data = (joiner.join(pieces) + "\n").encode("utf-8")
        produced += len(out.data)
        index += 1
        yield out


def size_label(size_mb: float) -> str:
    return f"{size_mb:g}mb"


def corpus_key(size_mb: float, seed: int, fingerprint: str, min_file: int, max_file: int) -> dict[str, Any]:
    """What a corpus depends on: the same key means the same files."""
    return {
        "builder_version": BUILDER_VERSION,
        "seed": seed,
        "size_mb": size_mb,
        "target_bytes": int(size_mb * MB),
        "min_file_bytes": min_file,
        "max_file_bytes": max_file,
        "sources_fingerprint": fingerprint,
    }


def _file_list_sha256(files: Iterable[dict[str, Any]]) -> str:
    listing = "".join(f"{f['name']}\t{f['bytes']}\t{f['sha256']}\n" for f in files)
    return hashlib.sha256(listing.encode()).hexdigest()


def _intact(dest: Path, manifest: dict[str, Any]) -> bool:
    """True when ``dest`` holds exactly the manifest's files, with their sizes and hashes."""
    files = manifest.get("files") or []
    on_disk = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file() and not p.name.startswith("."))
    if on_disk != sorted(f["name"] for f in files):
        return False
    for f in files:
        p = dest / f["name"]
        if p.stat().st_size != f["bytes"] or hashlib.sha256(p.read_bytes()).hexdigest() != f["sha256"]:
            return False
    return _file_list_sha256(files) == manifest.get("file_list_sha256")


def build_corpus(
    dest: Path,
    size_mb: float,
    pool: StoryPool,
    seed: int = SEED,
    min_file: int = MIN_FILE_BYTES,
    max_file: int = MAX_FILE_BYTES,
    log: Log | None = None,
) -> dict[str, Any]:
    """Build the corpus in ``dest`` (or reuse it when its manifest has the same key and its files are intact).

    The manifest is ``dest/.manifest.json`` (hidden, so the ingest does not read it) and holds no time:
    two builds with the same inputs write the same manifest.

    Returns:
        The manifest, plus ``reused`` and ``build_seconds`` (not stored in the file).
    """
    key = corpus_key(size_mb, seed, pool.fingerprint, min_file, max_file)
    total = int(size_mb * MB)
    return write_corpus(
        dest, key, lambda: generate_corpus(pool.stories, total, seed, min_file, max_file), len(pool.stories), log
    )


def write_corpus(
    dest: Path,
    key: dict[str, Any],
    generate: Callable[[], Iterable[CorpusFile]],
    n_pool_stories: int,
    log: Log | None = None,
) -> dict[str, Any]:
    """Write the files ``generate()`` yields into ``dest`` with a manifest holding ``key`` (or reuse ``dest``
    when its manifest has the same key and its files are intact). Shared by ``build_corpus`` and the peers'
    corpus (``bench/peers/``).

    Returns:
        The manifest, plus ``reused`` and ``build_seconds`` (not stored in the file).
    """
    manifest_path = dest / ".manifest.json"
    if manifest_path.is_file():
        try:
            old = json.loads(manifest_path.read_text())
        except ValueError:
            old = None
        if old and old.get("key") == key and _intact(dest, old):
            if log:
                log(f"corpus {dest.name}: reused ({old['n_files']} files, {old['total_bytes'] / MB:.1f} MB)")
            return {**old, "reused": True, "build_seconds": 0.0}
    t0 = time.perf_counter()
    tmp = dest.with_name(dest.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files: list[dict[str, Any]] = []
    distinct: set[bytes] = set()
    used: set[str] = set()
    styles: Counter[str] = Counter()
    n_articles = 0
    for f in generate():
        path = tmp / f.name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f.data)
        files.append(
            {
                "name": f.name,
                "bytes": len(f.data),
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "style": f.style,
                "separator": f.separator,
                "articles": len(f.article_keys),
            }
        )
        distinct.update(f.article_keys)
        used.update(f.story_ids)
        styles[f.style] += 1
        n_articles += len(f.article_keys)
    sizes = sorted(f["bytes"] for f in files)
    manifest = {
        "key": key,
        "n_files": len(files),
        "total_bytes": sum(sizes),
        "file_bytes_min": sizes[0],
        "file_bytes_median": sizes[len(sizes) // 2],
        "file_bytes_max": sizes[-1],
        "n_articles": n_articles,
        "n_distinct_article_texts": len(distinct),
        "n_distinct_stories": len(used),
        "n_pool_stories": n_pool_stories,
        "files_by_style": dict(sorted(styles.items())),
        "file_list_sha256": _file_list_sha256(files),
        "files": files,
    }
    (tmp / ".manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    secs = time.perf_counter() - t0
    if log:
        log(
            f"corpus {dest.name}: built {len(files)} files, {sum(sizes) / MB:.1f} MB, "
            f"{n_articles} articles in {secs:.1f} s"
        )
    return {**manifest, "reused": False, "build_seconds": round(secs, 2)}


def corpus_paths(dest: Path, manifest: dict[str, Any]) -> list[str]:
    """Absolute paths of the corpus files, in name order (the order the ingest processes them)."""
    return [str((dest / f["name"]).resolve()) for f in sorted(manifest["files"], key=lambda f: f["name"])]


JOIN = "\n\n\n"  # two blank lines between the stories of a file: the join every peer splits on
MIN_STORIES, MAX_STORIES = 5, 40
PEERS_BUILDER_VERSION = 1

_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


# ==================================================================================================
# The peers' corpus (bench/peers/): 5-40 stories a file joined by two blank lines


def render_story(title: str, paragraphs: Sequence[str]) -> str:
    """``title``, a blank line, the paragraphs one blank line apart: never two blank lines in a row (``JOIN``)."""
    parts = [" ".join(title.split())] + [_BLANK_RUN.sub("\n", p.strip()) for p in paragraphs if p.strip()]
    return "\n\n".join(parts)


def generate_story_files(pool: StoryPool, total_bytes: int, seed: int = SEED) -> Iterator[CorpusFile]:
    """Files of ``MIN_STORIES``-``MAX_STORIES`` stories (drawn uniformly) joined by ``JOIN`` until they hold
    ``total_bytes`` bytes (UTF-8). Stories are dealt from a shuffled deck (every story once before any repeats;
    from the second pass on a long story may lose a paragraph, as in ``generate_corpus``)."""
    if not pool.stories:
        raise ValueError("no stories to build a corpus from")

    rng = random.Random(seed)
    deck = _Deck(len(pool.stories), rng)
    produced = index = 0
    while produced < total_bytes:
        out = CorpusFile(f"p{index // 100:03d}/f{index:05d}.txt", b"", "stories", None)
        texts = []
        for _ in range(rng.randint(MIN_STORIES, MAX_STORIES)):
            k, pass_no = deck.draw()
            story = pool.stories[k]
            paragraphs = variant_paragraphs(story.paragraphs, pass_no, rng)
            text = render_story(story.title, paragraphs)
            texts.append(text)
            out.article_keys.append(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest())
            out.story_ids.append(story.sid)
            out.bodies.append("\n\n".join(paragraphs))
        out.data = (JOIN.join(texts) + "\n").encode("utf-8")
        produced += len(out.data)
        index += 1
        yield out


def build_peer_corpus(dest: Path, size_mb: float, pool: StoryPool, seed: int = SEED, log: Log | None = None) -> dict:
    """Build (or reuse) the peers' corpus of ``size_mb`` MB in ``dest``; the manifest's ``files[].articles``
    is the gold number of stories of each file, ``n_articles`` their sum."""
    key = {
        "kind": "peers: stories joined by two blank lines",
        "builder_version": PEERS_BUILDER_VERSION,
        "seed": seed,
        "size_mb": size_mb,
        "target_bytes": int(size_mb * MB),
        "stories_per_file": [MIN_STORIES, MAX_STORIES],
        "sources_fingerprint": pool.fingerprint,
    }
    return write_corpus(dest, key, lambda: generate_story_files(pool, int(size_mb * MB), seed), len(pool.stories), log)


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus's text files in name order (the hidden manifest is not one)."""
    return sorted(p for p in corpus.rglob("*.txt") if not p.name.startswith("."))
