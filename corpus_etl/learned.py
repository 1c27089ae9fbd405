"""Boilerplate learned from the corpus itself: lines that repeat across many files of one outlet.

CCNet (Wenzek et al. 2019) removes the paragraphs whose hash occurs in many documents of a shard. News
text has a trap that web text has less: the same wire paragraph is carried, legitimately, by many files
(``v_wire_paragraphs``). So here lines are counted **per outlet**, and a line is learned as boilerplate
of its outlet when its normalised hash occurs in at least ``min_files`` distinct files of that outlet;
prose lines of 8 words or more (a paragraph of running text, what ``v_wire_paragraphs`` calls wire
copy) are never learned, whatever their count. An outlet's lines keep their figures (``outlet_line_hash``:
a table's rows differ from story to story, a site's footer does not), and the splitter never removes a
wire dateline that states the day ("TORONTO, March 4 -") as learned: both are the stories' own text.

The outlet key is the **source file's folder** (the parent directory of its path, or URL prefix): it is
known before a file is split (so a pre-pass can count), scraped corpora are stored one folder per site
or crawl, and ``story_clusters`` falls back to the same folder name. A folder holding several sites
pools their chrome (harmless: chrome of one site repeated in others is chrome too); the guard on prose
keeps their shared articles.

Pure functions. The flow runs ``scan_counts`` over the run's files in a pre-pass (``file_line_hashes``
per file, counted per outlet in a compact ``LineCounts``), adds the counts kept from earlier runs (table
``line_hashes``) and passes ``learn_counts(...)``'s result, plain data, to the batch workers; the
splitter removes a learned line with rule ``learned_repeat``.

Inside one file of explicit segments grouped in clusters of one story each (a Multi-News ``.src`` file: a
line is a cluster), the same counting needs no outlet and no pre-pass: ``collection_repeats`` finds the
paragraphs held by segments of at least ``min_clusters`` different clusters, which the splitter removes
with rule ``collection_repeat``. The clusters are the guard there: wire copy is shared by the articles of
one story (one cluster), while a scraper's failure text (a crawl notice, a video player's or Twitter's
text standing in for the article) turns up under unrelated stories, so running text is counted too.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pyarrow as pa

from . import discover, storage
from .decode import MAX_INFLATE_RATIO, DecodeError, decode_bytes
from .formats import detect_format
from .reading import SPOOL_CODEC, read_text
from .settings import Settings
from .split import Line, is_date_line, is_prose, logical_lines, parse_byline, words

if TYPE_CHECKING:
    from .discover import SourceFile
    from .rules import Rules

# Prose lines of at least this many words are never learned (wire copy, see the module docstring).
PROSE_MIN_WORDS = 8
_DIGITS = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")  # a year in a copyright line ("(c) 2012")
_PUNCT_SPACE = re.compile(r"[\W_]+")

LearnedLines = Mapping[str, frozenset[str]]  # outlet key -> learned line hashes


class SourceFileLike(Protocol):
    """Anything with a ``path`` (``discover.SourceFile``)."""

    @property
    def path(self) -> str: ...


def normalize_line(text: str) -> str:
    """CCNet's paragraph normalisation: NFKC, casefolded, digits as 0, punctuation and spaces collapsed."""
    return _normalized(text, _DIGITS, "0")


def _normalized(text: str, figures: re.Pattern[str], mark: str) -> str:
    """NFKC, casefolded, ``figures`` replaced by ``mark``, punctuation and spaces collapsed."""
    return _PUNCT_SPACE.sub(" ", figures.sub(mark, unicodedata.normalize("NFKC", text).casefold())).strip()


def _hash(norm: str) -> str:
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16] if norm else ""


def line_hash(text: str) -> str:
    """Hash of a line's normalised form (16 hex digits); '' for a line with no letters or digits."""
    return _hash(normalize_line(text))


def outlet_line_hash(text: str) -> str:
    """Hash of a line as an outlet's boilerplate is counted and looked up (16 hex digits; '' for a line with no
    letters or digits): ``normalize_line``'s form but with its figures kept, only a year (1800-2099) read as
    0000. A site prints its menu and footer lines the same on every page, the copyright year aside
    ("(c) 2012 Example Media"), while a line whose figures change from file to file is the article's data: an
    earnings table's row ("Shr 15 cts vs 18 cts", "Revs 156.7 mln vs 152.0 mln"), a dividend's dates, a wire
    dateline. Counted with their digits as 0, such rows were learned from a folder of wire stories and
    removed, and a story made only of them vanished into the next one."""
    return _hash(_normalized(text, _YEAR, "0000"))


def learnable(text: str) -> bool:
    """Whether a line may be learned as boilerplate: it has a letter (a line of bare figures is data) and is
    not running text of 8+ words."""
    return any(c.isalpha() for c in text) and not (words(text) >= PROSE_MIN_WORDS and is_prose(text))


def outlet_key(path: str) -> str:
    """The outlet a file is counted under: its folder (parent directory or URL prefix)."""
    if "://" in path:
        scheme, rest = path.split("://", 1)
        return f"{scheme}://{rest.rsplit('/', 1)[0]}" if "/" in rest else f"{scheme}://{rest}"
    return str(PurePosixPath(path.replace("\\", "/")).parent)


def file_line_hashes(text: str, lines: Iterable[Line] | None = None) -> list[str]:
    """The distinct hashes of the learnable logical lines of a text, sorted (what one file counts for).
    ``lines``: the text's ``logical_lines`` when the caller has them already (the splitter's)."""
    out = {
        outlet_line_hash(t)
        for t in {ln.text for ln in (logical_lines(text) if lines is None else lines)}
        if learnable(t)
    }
    out.discard("")
    return sorted(out)


def _metadata_line(text: str, rules: Rules) -> bool:
    """Whether the splitter would keep ``text`` as a record's metadata (tags, a date line, a byline): shared by
    unrelated articles of one wire or outlet ("By The Associated Press"), it is never collection boilerplate."""
    return bool(rules.tag.fullmatch(text) or is_date_line(text, rules) or parse_byline(text, rules))


@dataclass(frozen=True)
class CollectionRepeats:
    """What ``collection_repeats`` found in one file."""

    hashes: frozenset[str]  # the ``line_hash`` of each paragraph repeated across clusters
    segments: frozenset[int]  # the segments holding one, by position in the input (the others need no check)


def collection_repeats(segments: Iterable[tuple[int, str]], rules: Rules, min_clusters: int) -> CollectionRepeats:
    """The paragraphs repeated across the clusters of one file: boilerplate of the collection.

    Args:
        segments: (cluster, text) of each explicit segment of the file (an article of a Multi-News line),
            in file order (clusters ascending).
        rules: the rules the file is split with (a byline, date or tag line is never counted).
        min_clusters: a paragraph is boilerplate when segments of at least this many distinct clusters hold
            it; 0 turns the rule off.

    Returns:
        The ``line_hash`` of every such paragraph (a logical line, ``split.logical_lines``, with a letter),
        and which segments hold one: a paragraph repeated by the articles of one cluster counts once, whatever
        its length. Memory: one entry per distinct paragraph and 8 bytes per paragraph of the file.
    """
    if min_clusters <= 0:
        return CollectionRepeats(frozenset(), frozenset())
    seen: dict[str, tuple[int, int]] = {}  # hash -> (the last cluster that held it, distinct clusters)
    held: list[array[int]] = []  # per segment, its counted paragraphs' hashes as 64-bit integers
    for cluster, text in segments:
        mine = array("Q")
        for t in {ln.text for ln in logical_lines(text)}:
            if any(c.isalpha() for c in t) and not _metadata_line(t, rules):
                h = line_hash(t)
                mine.append(int(h, 16))
                last, n = seen.get(h, (-1, 0))
                if last != cluster:
                    if last > cluster:
                        raise ValueError("collection_repeats: segments must come in cluster order")
                    seen[h] = (cluster, n + 1)
        held.append(mine)
    hashes = frozenset(h for h, (_, n) in seen.items() if n >= min_clusters)
    keys = {int(h, 16) for h in hashes}
    return CollectionRepeats(hashes, frozenset(i for i, mine in enumerate(held) if not keys.isdisjoint(mine)))


class LineCounts:
    """How many distinct files of each outlet hold each line hash, kept compactly and merged chunk by chunk.

    The pre-pass's workers each return the counts of their share of the files, and the flow merges them
    as they arrive: what it holds is one 64-bit integer and one count per distinct (outlet, line) pair
    (about 12 bytes), never the per-file hash lists (one Python string per line of every file: memory
    growing with the corpus).
    """

    _COMPACT_AT = 1 << 20  # pending entries of an outlet merged into its table past this many

    def __init__(self) -> None:
        self._tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # outlet -> (sorted hashes, files)
        self._pending: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self._n_pending: dict[str, int] = {}

    def add(self, outlet: str, hashes: Iterable[str], files: Iterable[int] | None = None) -> None:
        """Count ``hashes`` (16 hex digits each) under ``outlet``: each once, as one file's distinct lines
        (``files`` None; a hash repeated in the file counts once), or ``files`` times each."""
        if files is None:
            keys = np.unique(np.fromiter((int(h, 16) for h in set(hashes)), dtype=np.uint64))
            counts = np.ones(keys.size, dtype=np.int64)
        else:
            keys = np.fromiter((int(h, 16) for h in hashes), dtype=np.uint64)
            counts = np.fromiter(files, dtype=np.int64, count=keys.size)
        self._push(outlet, keys, counts)

    def merge(self, other: LineCounts) -> None:
        """Add the counts of ``other`` (a share of the files disjoint from this one's)."""
        for outlet in other.outlets():
            self._push(outlet, *other._table(outlet))

    def outlets(self) -> list[str]:
        """The outlets counted, sorted."""
        return sorted(set(self._tables) | set(self._pending))

    def learned(self, min_files: int, outlets: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        """Outlet -> the hashes held by at least ``min_files`` files (only ``outlets`` when given; only
        non-empty sets)."""
        wanted = self.outlets() if outlets is None else sorted(set(outlets))
        out: dict[str, frozenset[str]] = {}
        for outlet in wanted:
            keys, counts = self._table(outlet)
            hit = keys[counts >= min_files]
            if hit.size:
                out[outlet] = frozenset(f"{int(v):016x}" for v in hit)
        return out

    def _push(self, outlet: str, keys: np.ndarray, counts: np.ndarray) -> None:
        if not keys.size:
            self._tables.setdefault(outlet, (keys, counts))
            return
        self._pending.setdefault(outlet, []).append((keys, counts))
        self._n_pending[outlet] = self._n_pending.get(outlet, 0) + int(keys.size)
        if self._n_pending[outlet] >= self._COMPACT_AT:
            self._table(outlet)

    def _table(self, outlet: str) -> tuple[np.ndarray, np.ndarray]:
        parts = self._pending.pop(outlet, [])
        self._n_pending.pop(outlet, None)
        base = self._tables.get(outlet, (np.empty(0, np.uint64), np.empty(0, np.int64)))
        if parts:
            keys = np.concatenate([base[0], *(k for k, _ in parts)])
            counts = np.concatenate([base[1], *(c for _, c in parts)])
            uniq, inverse = np.unique(keys, return_inverse=True)
            base = (uniq, np.bincount(inverse, weights=counts, minlength=uniq.size).astype(np.int64))
        self._tables[outlet] = base
        return base


def learn(
    current: Mapping[str, tuple[str, Iterable[str]]],
    history: Iterable[tuple[str, str, int]] = (),
    min_files: int = 3,
) -> dict[str, frozenset[str]]:
    """The learned boilerplate lines per outlet.

    Args:
        current: source_id -> (outlet key, its line hashes) of the files this run processes.
        history: (outlet key, line hash, distinct files) counted over the files loaded by earlier runs,
            without the files in ``current`` (their old lines must not count twice).
        min_files: a line is learned when at least this many distinct files of its outlet hold it.

    Returns:
        Outlet key -> the hashes of its learned lines (only outlets of ``current`` files, only
        non-empty sets), deterministic for the same inputs.
    """
    counts = LineCounts()
    for outlet, hashes in current.values():
        counts.add(outlet, hashes)
    return learn_counts(counts, history, min_files, {outlet for outlet, _ in current.values()})


def learn_counts(
    counts: LineCounts, history: Iterable[tuple[str, str, int]], min_files: int, outlets: Iterable[str]
) -> dict[str, frozenset[str]]:
    """``learn`` from the merged counts of this run's files (``scan_counts``) and the earlier runs'
    ``history``, for the ``outlets`` of this run's files."""
    by_outlet: dict[str, tuple[list[str], list[int]]] = {}
    for outlet, h, n in history:
        hs, ns = by_outlet.setdefault(outlet, ([], []))
        hs.append(h)
        ns.append(n)
    for outlet, (hs, ns) in by_outlet.items():
        counts.add(outlet, hs, ns)
    return counts.learned(min_files, outlets)


def scan_file(
    path: str, input_format: str = "auto", text_field: str = "text", max_inflate_ratio: float = MAX_INFLATE_RATIO
) -> list[str]:
    """The line hashes one file counts for: those of ``file_line_hashes`` for a plain-text file, none for
    another format or a file that cannot be read or decoded (``process_source`` reports those)."""
    try:  # an s3:// object, or a local file opened non-blocking (a FIFO put in its place must not hang)
        data = storage.read_any(path) if storage.is_uri(path) else discover.read_source(path, attempts=1).data
        text = decode_bytes(data, max_inflate_ratio).text
    except (OSError, DecodeError):
        return []
    fmt = detect_format(path, text, text_field) if input_format == "auto" else input_format
    return file_line_hashes(text) if fmt == "text" else []


def scan_counts(
    paths: list[tuple[str, str]],
    input_format: str = "auto",
    text_field: str = "text",
    max_inflate_ratio: float = MAX_INFLATE_RATIO,
) -> LineCounts:
    """``scan_file`` over (source_id, path) pairs, counted per outlet (a worker's share of the pre-pass)."""
    counts = LineCounts()
    for _, path in paths:
        counts.add(outlet_key(path), scan_file(path, input_format, text_field, max_inflate_ratio))
    return counts


def scan_batch(files: list[SourceFile], settings: Settings, spool: str | None = None) -> LineCounts:
    """The pre-pass over one batch of the run: each file read once (``reading.read_text``), its lines counted
    per outlet as ``scan_file`` counts them (plain text only), and what was read written to ``spool``
    (``reading.spool_path``) for ``pipeline.process_batch`` to split without reading the file again. A file
    that fails to read counts nothing; its reason is spooled with it."""
    counts = LineCounts()
    out = pa.CompressedOutputStream(spool, SPOOL_CODEC) if spool is not None else None
    try:
        for f in files:
            got = read_text(f, settings)
            if got.text is not None and got.fields.get("format") == "text":
                counts.add(outlet_key(f.path), file_line_hashes(got.text))
            else:
                counts.add(outlet_key(f.path), [])
            if out is not None:
                pickle.dump(got, out, protocol=pickle.HIGHEST_PROTOCOL)
            del got
    finally:
        if out is not None:
            out.close()
    return counts


def learned_for(learned: Mapping[str, frozenset[str]], files: Iterable[SourceFileLike]) -> dict[str, frozenset[str]]:
    """The part of ``learned`` a batch needs: the outlets of its files (keeps what crosses processes small)."""
    outlets = {outlet_key(f.path) for f in files}
    return {o: v for o, v in learned.items() if o in outlets}
