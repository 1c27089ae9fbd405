"""Input formats: plain-text pages, Multi-News ``.src`` clusters and JSONL, all split with exact spans.

Every format ends in the same ``SplitResult`` over the decoded file text. Multi-News and JSONL wrap
article text in an envelope (``|||||`` separators and ``NEWLINE_CHAR`` tokens; JSON syntax, escapes and
other fields): the article text is unwrapped into a converted string with an offset map back to the
file, split with the plain-text splitter, and its spans are mapped back, so records and removed spans
still tile the file exactly. The envelope itself is recorded as removed spans.

In a Multi-News file a paragraph held by articles of at least ``collection_min_clusters`` different clusters
(unrelated stories) is boilerplate of the collection (``learned.collection_repeats``), removed with rule
``collection_repeat``: a crawl notice or a video player's text scraped in place of an article.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from .rules import Rules
from .split import RawRecord, RemovedSpan, SplitOptions, SplitResult, split_text

FORMATS = ("text", "multinews", "jsonl")
_COMPRESSION_SUFFIXES = {".gz", ".bz2", ".xz", ".zst", ".zstd"}
_MN_SEPARATOR = re.compile(r"[ \t]*\|{5}[ \t]*")
_MN_NEWLINE = "NEWLINE_CHAR"


class FormatError(ValueError):
    """The text does not fit the format asked for."""


@dataclass
class OffsetMap:
    """Maps offsets in a converted string back to the file: breakpoints (converted, raw), ascending."""

    conv: list[int] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)

    def add(self, conv: int, raw: int) -> None:
        self.conv.append(conv)
        self.raw.append(raw)

    def __call__(self, i: int) -> int:
        k = bisect.bisect_right(self.conv, i) - 1
        return self.raw[k] + (i - self.conv[k])


def logical_suffix(path: str) -> str:
    """The file's format suffix, looking through a compression suffix (``a.src.gz`` -> ``.src``)."""
    p = PurePath(path)
    suffixes = [s.lower() for s in p.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def sibling(path: str, suffix: str) -> Path | None:
    """The companion of a Multi-News file (``a.src.gz`` -> ``a.tgt``, ``a.tgt.gz``, ...), if it exists."""
    p = Path(path)
    name = p.name
    for comp in sorted(_COMPRESSION_SUFFIXES):
        if name.lower().endswith(comp):
            name = name[: -len(comp)]
            break
    stem = name.rsplit(".", 1)[0]
    for comp in ("", *sorted(_COMPRESSION_SUFFIXES)):
        candidate = p.with_name(stem + suffix + comp)
        if candidate.is_file():
            return candidate
    return None


def detect_format(path: str, text: str, text_field: str = "text") -> str:
    """Pick the format of a file: by suffix (.src, .tgt, .jsonl/.ndjson), else by sniffing the text (plain text
    when the sniffing fails: the file's first line is JSON nested past the recursion limit, or too big)."""
    try:
        return _detect_format(path, text, text_field)
    except (MemoryError, RecursionError):
        return "text"


def _detect_format(path: str, text: str, text_field: str) -> str:
    suffix = logical_suffix(path)
    if suffix == ".src":
        return "multinews"
    if suffix == ".tgt":
        return "multinews_summary"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    head = text.lstrip()[:2000]
    if head.startswith("{"):
        first = text.lstrip().split("\n", 1)[0]
        try:
            obj = json.loads(first)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's recursion limit
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get(text_field), str):
            return "jsonl"
    if " ||||| " in head or head.count(_MN_NEWLINE) >= 2:
        return "multinews"
    return "text"


def _shift(result: SplitResult, mapping: OffsetMap, first_record: int) -> tuple[list[RawRecord], list[RemovedSpan]]:
    for rec in result.records:
        rec.char_start, rec.char_end = mapping(rec.char_start), mapping(rec.char_end)
        rec.paragraph_spans = [(mapping(s), mapping(e)) for s, e in rec.paragraph_spans]
    removed = [
        RemovedSpan(
            mapping(sp.start), mapping(sp.end), sp.rule, None if sp.record is None else sp.record + first_record
        )
        for sp in result.removed
    ]
    return result.records, removed


@dataclass
class _Segment:
    """An explicit segment of a wrapped format (a Multi-News article, a JSONL text), its split and where it goes."""

    converted: str  # its text as split (kept only when a record of it has a title: see ``_Builder.segment``)
    mapping: OffsetMap
    cluster: int
    meta: dict[str, object] | None
    collection: frozenset[str]
    result: SplitResult
    title_field: str | None = None  # a JSONL title field, for a segment whose text has no headline


class _Builder:
    """Collects the segments and removed spans of a wrapped format in file order, and makes one ``SplitResult`` of
    them (``result``: where most of a file's segments open without a headline, none gets one)."""

    def __init__(self, text: str, rules: Rules, opts: SplitOptions) -> None:
        self.text = text
        self.rules = rules
        self.opts = opts
        self.segments: list[_Segment] = []
        self.removed: list[RemovedSpan] = []

    def envelope(self, start: int, end: int, rule: str) -> None:
        if end > start:
            if self.removed and self.removed[-1].end == start and self.removed[-1].rule == rule:
                self.removed[-1].end = end
            else:
                self.removed.append(RemovedSpan(start, end, rule))

    def _split(self, converted: str, collection: frozenset[str], headlines: bool = True) -> SplitResult:
        # an explicit segment is one article: only strong evidence opens another record in it
        opts = replace(self.opts, one_article=True, segment_headlines=headlines)
        return split_text(converted, self.rules, opts, collection=collection)

    def segment(
        self,
        converted: str,
        mapping: OffsetMap,
        cluster: int,
        meta: dict[str, object] | None,
        collection: frozenset[str] = frozenset(),
        title_field: str | None = None,
    ) -> None:
        res = self._split(converted, collection)
        res.lines = None  # (the file's result holds no lines: a big file's segments keep only their records)
        # (only a titled segment may be split again, ``result``: the others keep no copy of their text)
        again = converted if any(r.title is not None for r in res.records) else ""
        self.segments.append(_Segment(again, mapping, cluster, meta, collection, res, title_field))

    def _headless(self) -> bool:
        """Whether the file's articles come without headlines: it has at least
        ``SplitOptions.segment_headline_min_segments`` segments with an article, and under
        ``segment_headline_min_share`` of them open with a headline line (Multi-News: extracted bodies, 54 of 273
        dev articles 'titled', about 10 of them by their headline and the rest by a caption, a "Story highlights"
        box or a newsletter prompt). A headline-like first line of such a file is a caption or a standfirst more
        often than a headline."""
        firsts = [arts[0] for seg in self.segments if (arts := [r for r in seg.result.records if r.kind == "article"])]
        if len(firsts) < max(1, self.opts.segment_headline_min_segments):
            return False
        titled = sum(1 for r in firsts if r.title is not None)
        return titled < self.opts.segment_headline_min_share * len(firsts)

    def result(self) -> SplitResult:
        """The records of all segments in file order and every removed span; in a file whose articles come without
        headlines (``_headless``) a segment's headline-like lines stay in its body (split again without titles),
        and a JSONL title field names a segment whose text has no headline (``title_source`` 'jsonl_field')."""
        headless = self._headless()
        records: list[RawRecord] = []
        removed = list(self.removed)
        for seg in self.segments:
            res = seg.result
            if headless and any(r.title is not None for r in res.records):
                res = self._split(seg.converted, seg.collection, headlines=False)
            recs, spans = _shift(res, seg.mapping, len(records))
            for rec in recs:
                rec.cluster = seg.cluster
                rec.meta = seg.meta
            if recs and recs[0].title is None and seg.title_field is not None:
                recs[0].title, recs[0].title_source = seg.title_field, "jsonl_field"
            records.extend(recs)
            removed.extend(spans)
        removed.sort(key=lambda s: (s.start, s.end))
        return SplitResult(records, removed, len(self.text))


def _unwrap_multinews(raw: str, base: int) -> tuple[str, OffsetMap]:
    out: list[str] = []
    m = OffsetMap()
    m.add(0, base)
    pos = 0
    conv = 0
    while True:
        k = raw.find(_MN_NEWLINE, pos)
        if k < 0:
            out.append(raw[pos:])
            conv += len(raw) - pos
            break
        out.append(raw[pos:k])
        conv += k - pos
        out.append("\n")
        m.add(conv, base + k)
        conv += 1
        m.add(conv, base + k + len(_MN_NEWLINE))
        pos = k + len(_MN_NEWLINE)
    m.add(conv, base + len(raw))
    return "".join(out), m


def _multinews_segments(text: str) -> Iterator[tuple[int, int, int, re.Match[str] | None]]:
    """(cluster, start, end, the separator after it or None) of each article of a ``.src`` text, in order."""
    pos = 0
    for cluster, line in enumerate(text.splitlines(keepends=True)):
        content_end = pos + len(line.rstrip("\r\n"))
        seg_start = pos
        for sep in _MN_SEPARATOR.finditer(text, pos, content_end):
            yield cluster, seg_start, sep.start(), sep
            seg_start = sep.end()
        yield cluster, seg_start, pos + len(line), None
        pos += len(line)


def split_multinews(text: str, rules: Rules, opts: SplitOptions) -> SplitResult:
    """Split a Multi-News ``.src`` text: one cluster a line, articles joined by ``|||||``.

    Each article keeps its cluster (0-based line number) in ``RawRecord.cluster``. A paragraph that articles
    of at least ``opts.collection_min_clusters`` different clusters hold is removed (rule
    ``collection_repeat``, ``learned.collection_repeats``); an article left with nothing is no record.
    """
    segments = list(_multinews_segments(text))
    # (the articles' text as _unwrap_multinews converts it, without its offset map)
    articles = ((c, text[start:end].replace(_MN_NEWLINE, "\n")) for c, start, end, _ in segments)
    from .learned import collection_repeats  # cycle: learned imports this module (detect_format)

    found = collection_repeats(articles, rules, opts.collection_min_clusters)
    b = _Builder(text, rules, opts)
    for k, (cluster, start, end, sep) in enumerate(segments):
        conv, mapping = _unwrap_multinews(text[start:end], start)
        b.segment(conv, mapping, cluster, None, found.hashes if k in found.segments else frozenset())
        if sep is not None:
            b.envelope(sep.start(), sep.end(), "multinews_separator")
    return b.result()


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = re.compile(r"[ \t\r\n]*")


class _Unstorable(FormatError):
    """A JSONL line is valid JSON but its record cannot be stored as read (the reason names why)."""

    rule = "jsonl_unstorable_line"


# Deepest nesting of a JSONL object's other fields kept as metadata (objects and arrays inside the object).
MAX_META_DEPTH = 64


def _hex4(s: str, i: int) -> int:
    digits = s[i : i + 4]
    if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise FormatError(f"bad \\u escape {digits!r}")
    return int(digits, 16)


def _depth(value: object) -> int:
    """How deep lists and dicts nest in ``value`` (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            d += 1
            deepest = max(deepest, d)
            if d <= MAX_META_DEPTH:
                stack.extend((x, d) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _scan_string(s: str, i: int) -> tuple[str, OffsetMap, int]:
    """Decode the JSON string literal whose opening quote is at ``s[i]``; return text, map, end index."""
    out: list[str] = []
    m = OffsetMap()
    j = i + 1
    m.add(0, j)
    conv = 0
    while True:
        if j >= len(s):
            raise FormatError("unterminated string")
        ch = s[j]
        if ch == '"':
            m.add(conv, j)
            return "".join(out), m, j + 1
        if ch != "\\":
            out.append(ch)
            conv += 1
            j += 1
            continue
        esc = s[j + 1 : j + 2]
        if esc in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[esc])
            width = 2
        elif esc == "u":
            code = _hex4(s, j + 2)
            width = 6
            if 0xD800 <= code < 0xDC00 and s[j + 6 : j + 8] == "\\u" and 0xDC00 <= _hex4(s, j + 8) < 0xE000:
                code = 0x10000 + ((code - 0xD800) << 10) + (_hex4(s, j + 8) - 0xDC00)
                width = 12
            elif 0xD800 <= code < 0xE000:  # a lone half of a pair: no character; text cannot hold it
                raise _Unstorable(f"unpaired surrogate \\u{code:04x}")
            out.append(chr(code))
        else:
            raise FormatError(f"bad escape \\{esc}")
        m.add(conv, j)
        conv += 1
        j += width
        m.add(conv, j)


def _text_member(line: str, text_field: str) -> tuple[int, int, str, OffsetMap, dict[str, object]]:
    """Find the text field of a one-line JSON object: (raw start, raw end, text, map, other fields)."""
    i = _WS.match(line, 0).end()  # type: ignore[union-attr]
    if line[i : i + 1] != "{":
        raise FormatError("not a JSON object")
    decoder = json.JSONDecoder()
    i += 1
    found: tuple[int, int, str, OffsetMap] | None = None
    meta: dict[str, object] = {}
    while True:
        i = _WS.match(line, i).end()  # type: ignore[union-attr]
        if line[i : i + 1] == "}":
            break
        if line[i : i + 1] != '"':
            raise FormatError("expected a key")
        key, i = decoder.raw_decode(line, i)
        i = _WS.match(line, i).end()  # type: ignore[union-attr]
        if line[i : i + 1] != ":":
            raise FormatError("expected ':'")
        i = _WS.match(line, i + 1).end()  # type: ignore[union-attr]
        if key == text_field and line[i : i + 1] == '"':
            start = i
            value, mapping, i = _scan_string(line, i)
            found = (start, i, value, mapping)
        else:
            try:
                value, i = decoder.raw_decode(line, i)
            except RecursionError:
                raise _Unstorable(f"field {key!r} nested past Python's recursion limit") from None
            if _depth(value) > MAX_META_DEPTH:
                raise _Unstorable(f"field {key!r} nested deeper than {MAX_META_DEPTH} levels")
            meta[str(key)] = value
        i = _WS.match(line, i).end()  # type: ignore[union-attr]
        if line[i : i + 1] == ",":
            i += 1
        elif line[i : i + 1] != "}":
            raise FormatError("expected ',' or '}'")
    if found is None:
        raise FormatError(f"no string field {text_field!r}")
    return found[0], found[1], found[2], found[3], meta


# A JSONL ``title`` field is taken as the title when it is as long as a headline can be (the articles
# suite's title-length expectation); any other value stays in ``meta_json`` only.
TITLE_FIELD_CHARS = (5, 300)


def is_title_field(value: object) -> bool:
    """Whether a JSONL record's ``title`` value can be its title: a string of 5 to 300 characters."""
    return isinstance(value, str) and TITLE_FIELD_CHARS[0] <= len(value.strip()) <= TITLE_FIELD_CHARS[1]


def _json_lines(text: str) -> list[str]:
    """``text`` cut after every ``\\n`` (str.splitlines also cuts at U+2028, U+0085, \\r, \\f, ...)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def split_jsonl(text: str, rules: Rules, opts: SplitOptions, text_field: str = "text") -> SplitResult:
    """Split JSONL: one JSON object a line; the ``text_field`` string is split, other fields become meta.

    Lines are split on ``\\n`` only, as JSON Lines defines them: a raw U+2028, U+0085 or form feed inside
    a string is part of its line. A line's ``cluster`` is its 0-based line number. A line that is not a
    JSON object with that field is kept as a removed span (rule ``jsonl_invalid_line``) rather than failing
    the file; so is a valid line whose record cannot be stored as read (rule ``jsonl_unstorable_line``: an
    escaped surrogate without its other half, metadata nested deeper than ``MAX_META_DEPTH``). A ``title``
    field names the first record when the text itself has no headline (``title_source``
    'jsonl_field') and it is title-like (``is_title_field``); otherwise the record is untitled, the value
    kept in its ``meta_json``.
    """
    b = _Builder(text, rules, opts)
    pos = 0
    for n, line in enumerate(_json_lines(text)):
        if not line.strip():
            b.envelope(pos, pos + len(line), "jsonl_envelope")
            pos += len(line)
            continue
        try:
            start, end, value, mapping, meta = _text_member(line, text_field)
        except _Unstorable:
            b.envelope(pos, pos + len(line), _Unstorable.rule)
            pos += len(line)
            continue
        except (FormatError, ValueError, IndexError, RecursionError):
            b.envelope(pos, pos + len(line), "jsonl_invalid_line")
            pos += len(line)
            continue
        # mapping is relative to the line; shift it to the file
        mapping.raw = [r + pos for r in mapping.raw]
        b.envelope(pos, pos + start + 1, "jsonl_envelope")
        title = meta.get("title")
        field_title = title.strip() if isinstance(title, str) and is_title_field(title) else None
        b.segment(value, mapping, n, meta, title_field=field_title)
        b.envelope(pos + end - 1, pos + len(line), "jsonl_envelope")
        pos += len(line)
    return b.result()


def split_document(
    text: str,
    fmt: str,
    rules: Rules,
    opts: SplitOptions,
    text_field: str = "text",
    learned: frozenset[str] = frozenset(),
) -> SplitResult:
    """Split a decoded file in the given format (``text``, ``multinews``, ``jsonl``, ``multinews_summary``).

    A Multi-News ``.tgt`` summary file yields no records: its text is one removed span (the summaries
    are attached to the clusters of its ``.src`` file). ``learned``: the outlet's learned boilerplate
    line hashes (plain text only, see ``corpus_etl.learned``).
    """
    if fmt == "text":
        return split_text(text, rules, opts, learned)
    if fmt == "multinews":
        return split_multinews(text, rules, opts)
    if fmt == "jsonl":
        return split_jsonl(text, rules, opts, text_field)
    if fmt == "multinews_summary":
        removed = [RemovedSpan(0, len(text), "multinews_summary")] if text else []
        return SplitResult([], removed, len(text))
    raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def read_summaries(tgt_text: str) -> dict[int, str]:
    """Summaries of a Multi-News ``.tgt`` file by cluster (line number), NEWLINE_CHAR made a newline."""
    out: dict[int, str] = {}
    for n, line in enumerate(tgt_text.splitlines()):
        s = line.replace(_MN_NEWLINE, "\n").strip().lstrip("–-— ").strip()
        if s:
            out[n] = s
    return out
