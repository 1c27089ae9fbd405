"""The pure core of the ingest: one source file in, its records and removed spans out.

No Prefect, no DuckDB. ``process_source`` reads, decodes, splits, normalises and language-tags one
file; ``process_batch`` does it for a batch of files and writes the batch's staging Parquet files (the
durable stage boundary between the workers and the single warehouse writer).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .analytics.index import STAGED as INDEX_STAGED
from .analytics.index import index_tables
from .dates import find_published
from .decode import decode_bytes
from .discover import SourceFile, display_path
from .formats import read_summaries, sibling, split_document
from .glued import two_page_cues
from .identity import copyright_owner, find_outlet, find_site
from .langid import UND, LangResult, detect_language, detect_languages, sample_text, with_file_language
from .learned import file_line_hashes, outlet_key
from .memory import trim, use_returning_allocators
from .normalize import normalize_inline, normalize_text, repair_mojibake
from .paragraphs import foreign_paragraphs, warm_stoplists
from .reading import SourceText, read_text, spooled_or_read
from .rules import Rules, load_rules
from .settings import Settings
from .split import Line, RawRecord, RemovedSpan, SplitOptions, SplitResult, check_coverage

_MULTI_SENTENCE = re.compile(r"[.!?]['\"’”]?\s+[A-Z“\"‘]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _NoPandas:
    """A ``sys.meta_path`` finder that refuses pandas: pyarrow imports pandas (about 60 MB and a second)
    the first time it converts Python lists, only to check them for pandas types; its shim takes the
    ImportError as "no pandas". No worker code uses pandas."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(
                f"No module named {name!r} (kept out of corpus-etl's worker processes)", name=name
            )


def warm_worker() -> None:
    """Initializer of the flow's worker processes: keep pandas out (``_NoPandas``), use allocators that
    return memory (``corpus_etl.memory``) and load the language profiles once; a worker imports only the
    core (no Prefect, GX, pandas, scipy, datasketch)."""
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())
    use_returning_allocators()
    detect_language("warm up the language detector with a sentence", min_letters=1)
    # What the first batch would build or import anyway, built now: allocated in the middle of a batch's
    # short-lived rows, these long-lived objects kept the allocator's pages of those rows from being
    # returned after the batch (pymalloc frees an arena only when nothing in it is alive).

    warm_stoplists()
    index_tables([], "warm-up", with_shingles=True)  # pyarrow's lazy imports (compute, numpy.ma, dateutil)
    for spec in schema.PER_SOURCE:
        schema.to_table(spec, [])
    trim()


def forget_memos(rules: Rules) -> None:
    """Forget the extraction's memos of lines, pages and words (``rules``' line matches, ``titles``' line facts and
    page indexes, the line model's pages and feature rows, the language detector's word rows, the MinHash word
    hashes), as a batch worker does after each file. They are bounded by entries, not bytes, and a long-lived
    worker filled them batch after batch (its RSS grew from about 170 to 525 MiB over a 50 MB run); forgotten, the
    next file reuses their memory (after each file rather than each batch: a worker's RSS levels at about 217
    instead of 256 MiB on the 20 MB corpus, for no more CPU: the lines they save work on recur within a page or a
    file). Answers never depend on them. (Kept: the language results by text and the parsed dates, small and slow
    to make again.)"""
    rules.forget()
    for name, fn in (
        ("corpus_etl.titles", "forget_memos"),
        ("corpus_etl.linemodel", "forget_pages"),
        ("corpus_etl.linemodel.features", "forget_rows"),
        ("corpus_etl.langfast", "forget_words"),
        ("corpus_etl.analytics.minhash", "forget_words"),
    ):
        mod = sys.modules.get(name)  # (a module the batches never imported holds nothing)
        if mod is not None:
            getattr(mod, fn)()


def json_text(value: object) -> str:
    """JSON of JSONL metadata that can be stored: a lone surrogate (``"\\ud800"`` in the input) stays a
    ``\\uXXXX`` escape instead of making the row unwritable as UTF-8."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def sha256_hex(data: bytes | str) -> str:
    """sha256 of bytes (or of a string's UTF-8), as hex."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def article_id_for(source_id: str, ordinal: int, content_hash: str) -> str:
    """Deterministic id of a record: the same file content gives the same ids."""
    return sha256_hex(f"{source_id}\x1f{ordinal}\x1f{content_hash}")[:16]


def standfirst_of(paragraphs: list[str], title: str | None) -> str | None:
    """The deck: under a headline, a first paragraph that is one sentence of at most 40 words, in a longer
    article. A record without a headline (a Multi-News article, a JSONL text) has no deck: its first
    sentence is its lede."""
    if title is None or len(paragraphs) < 2:
        return None
    first = paragraphs[0]
    if len(first.split()) > 40 or _MULTI_SENTENCE.search(first):
        return None
    return first


def title_source_of(raw: RawRecord, title: str | None) -> str:
    """Where a record's normalised ``title`` came from: one of ``schema.TITLE_SOURCES``.

    'headline' (a headline line of the text), 'jsonl_field' (the JSONL object's ``title`` field, used when
    its text has no headline line), 'none' (no title: ``title`` is NULL).
    """
    if title is None:
        return "none"
    return raw.title_source or "headline"


def paragraph_hash(text: str) -> str:
    """Hash of a paragraph that ignores case and spacing, for finding the same paragraph elsewhere."""
    return sha256_hex(" ".join(text.casefold().split()))[:16]


@dataclass
class Extracted:
    """One record's rows: the ``articles`` row and its ``paragraphs`` rows."""

    article: dict[str, object]
    paragraphs: list[dict[str, object]]


@dataclass
class _Normalised:
    """A split record's normalised text: kept paragraphs with their spans, the body and the title."""

    raw: RawRecord
    paragraphs: list[str]
    spans: list[tuple[int, int]]
    body: str
    title: str | None


def _normalise(raw: RawRecord) -> _Normalised:
    paras: list[str] = []
    spans: list[tuple[int, int]] = []
    for text, span in zip(raw.paragraphs, raw.paragraph_spans, strict=True):
        p = normalize_text(text)
        if p:
            paras.append(p)
            spans.append(span)
    title = repair_mojibake(normalize_inline(raw.title)) if raw.title else None
    return _Normalised(raw, paras, spans, "\n\n".join(paras), title)


def normalise_records(raws: list[RawRecord]) -> list[_Normalised]:
    """Each split record's normalised text (``build_articles`` makes the rows of them)."""
    return [_normalise(raw) for raw in raws]


def language_samples(norm: list[_Normalised], settings: Settings) -> list[str]:
    """The text whose language ``build_articles`` detects for each record: its body's (or, with none, its title's)
    first ``settings.language.sample_chars`` characters (``langid.sample_text``)."""
    return [sample_text(n.body or (n.title or ""), settings.language.sample_chars) for n in norm]


def _language_options(settings: Settings) -> dict[str, object]:
    return {
        "seed": settings.language.seed,
        "sample_chars": settings.language.sample_chars,
        "min_letters": settings.language.min_letters,
        "engine": settings.language.engine,
    }


def build_articles(
    raws: list[RawRecord],
    source_id: str,
    source_path: str,
    settings: Settings,
    run_id: str,
    at: datetime,
    norm: list[_Normalised] | None = None,
    samples: list[str] | None = None,
) -> list[Extracted]:
    """Turn a file's split records into their ``articles`` and ``paragraphs`` rows (normalised, language,
    ids).

    The languages of all the records are detected together (``langid.detect_languages``: the same answers
    as one detection per record, at a fraction of the cost), and so are the paragraphs of the records
    that mix languages.

    Args:
        raws: the file's records, in order (their position is the ``ordinal``).
        source_id: the file's id.
        source_path: the file's printable path.
        settings: run settings (language detection options).
        run_id: the run's id.
        at: the run's start time (``ingested_at``).
        norm: the records normalised (``normalise_records``), when the caller did it; None: done here.
        samples: their ``language_samples``, when the caller cut them; None: cut here.

    Returns:
        One ``Extracted`` per record, in order.
    """
    norm = normalise_records(raws) if norm is None else norm
    options = _language_options(settings)
    # each record's sample, cut once: detected, and read for the file's language
    samples = language_samples(norm, settings) if samples is None else samples
    langs = detect_languages(samples, **options)  # type: ignore[arg-type]
    # a short text (a table of figures, a brief) detected as another language than the file's long texts
    langs = with_file_language(samples, langs)
    # Per-paragraph language only where the record mixes languages (detection is the costly step): where the
    # sample's detection saw a second language, or where a paragraph that hardly uses the record language's
    # function words (``foreign_paragraphs``; anywhere in the body, past the sample too) is detected as
    # another language.
    suspects = [
        (k, i)
        for k, (n, lang) in enumerate(zip(norm, langs, strict=True))
        if not lang.mixed
        for i in foreign_paragraphs(n.paragraphs, lang.language)
    ]
    checked = detect_languages([norm[k].paragraphs[i] for k, i in suspects], **options)  # type: ignore[arg-type]
    switched = {k for (k, _), r in zip(suspects, checked, strict=True) if r.language not in (langs[k].language, UND)}
    mixed = [
        k
        for k, (n, lang) in enumerate(zip(norm, langs, strict=True))
        if len(n.paragraphs) > 1 and (lang.mixed or k in switched)
    ]
    found = iter(detect_languages([p for k in mixed for p in norm[k].paragraphs], **options))  # type: ignore[arg-type]
    para_langs = {k: [next(found) for _ in norm[k].paragraphs] for k in mixed}
    return [
        _rows(n, lang, para_langs.get(k), k, source_id, source_path, run_id, at)
        for k, (n, lang) in enumerate(zip(norm, langs, strict=True))
    ]


def _rows(
    n: _Normalised,
    lang: LangResult,
    para_langs: list[LangResult] | None,
    ordinal: int,
    source_id: str,
    source_path: str,
    run_id: str,
    at: datetime,
) -> Extracted:
    raw, paras, body = n.raw, n.paragraphs, n.body
    content_hash = sha256_hex(body)
    article_id = article_id_for(source_id, ordinal, content_hash)
    langs_of_paras: list[LangResult | None] = list(para_langs) if para_langs is not None else [None] * len(paras)
    paragraphs: list[dict[str, object]] = [
        {
            "article_id": article_id,
            "source_id": source_id,
            "position": i,
            "text": p,
            "paragraph_hash": paragraph_hash(p),
            "n_words": len(p.split()),
            "char_start": s,
            "char_end": e,
            "language": pl.language if pl else None,
            "language_prob": pl.probability if pl else None,
            "run_id": run_id,
        }
        for i, (p, (s, e), pl) in enumerate(zip(paras, n.spans, langs_of_paras, strict=True))
    ]
    article = {
        "article_id": article_id,
        "source_id": source_id,
        "source_path": source_path,
        "ordinal": ordinal,
        "kind": raw.kind,
        "kind_reason": raw.kind_reason,
        "kind_prob": raw.kind_prob,
        "title": n.title,
        "title_source": title_source_of(raw, n.title),
        "standfirst": standfirst_of(paras, n.title),
        "body": body,
        "language": lang.language,
        "language_prob": lang.probability,
        "language_reason": lang.reason,
        "authors": list(raw.authors),
        "outlet": raw.outlet,
        "outlet_source": "byline" if raw.outlet else "none",
        "url": None,
        "site": None,
        "site_source": None,
        "may_hold_two_pages": False,
        "dateline": raw.dateline,
        "tags": list(raw.tags),
        "published_date": date.fromisoformat(raw.published) if raw.published else None,
        "published_time": None,
        "published_date_source": "date_line" if raw.published else None,
        "cluster": raw.cluster,
        "meta_json": json_text(raw.meta) if raw.meta else None,
        "char_start": raw.char_start,
        "char_end": raw.char_end,
        "n_words": len(body.split()),
        "n_paragraphs": len(paras),
        "content_hash": content_hash,
        "run_id": run_id,
        "ingested_at": at,
    }
    return Extracted(article, paragraphs)


# characters of a record's head, and above it, searched for its publication date (``corpus_etl.dates``)
DATE_HEAD_CHARS = 2000
DATE_ABOVE_CHARS = 1000


def latest_date(mtime: object) -> date | None:
    """The latest publication date a file can state: its modification date (UTC) plus one day, for pages whose
    clock is ahead of UTC. None when the mtime is unknown (not a time, or the epoch of a failed stat)."""
    if not isinstance(mtime, datetime) or mtime.timestamp() < 86_400:
        return None
    return mtime.astimezone(UTC).date() + timedelta(days=1)


def date_articles(
    articles: list[dict[str, object]], raws: list[RawRecord], text: str, source_path: str, not_after: date | None
) -> None:
    """Set ``published_date``, ``published_time`` and ``published_date_source`` of a file's article rows
    (kind 'article') from the text at and above each record's start (``corpus_etl.dates.find_published``).

    Args:
        articles: the rows, in the order of ``raws`` (changed in place).
        raws: the split records (their spans into ``text``, the splitter's date line, JSONL fields).
        text: the decoded source text.
        source_path: the file's path (a date in it counts as a URL's).
        not_after: the file's modification date; no later date is taken. None: no limit.
    """
    prev_end = 0
    for row, raw in zip(articles, raws, strict=True):
        if raw.kind == "article":
            start = raw.char_start
            head = text[start : min(raw.char_end, start + DATE_HEAD_CHARS)]
            above = text[max(prev_end, start - DATE_ABOVE_CHARS) : start]
            found = find_published(head, above, raw.published, raw.meta, source_path, not_after)
            row["published_date"] = found.date if found else None
            row["published_time"] = found.time if found else None
            row["published_date_source"] = found.source if found else None
        prev_end = max(prev_end, raw.char_end)


def page_breaks(removed: list[RemovedSpan], rules: Rules) -> list[int]:
    """Offsets where a page of a plain text ends and the next begins, from its removed lines: the start of a
    line of a rule with effect 'page_start' (skip link, separator line) and the end of one with effect
    'page_end' (a copyright line: a page's footer). Every such line counts, also where the splitter did not
    close a record at it: more breaks only keep a page's outlet from records it may not own.

    Args:
        removed: the split's removed spans (``SplitResult.removed``).
        rules: the boilerplate rules the text was split with (their effects by name).

    Returns:
        The offsets, ascending, without repeats.
    """
    effect = {r.name: r.effect for r in rules.lines}
    out = {sp.start for sp in removed if effect.get(sp.rule) == "page_start"}
    out |= {sp.end for sp in removed if effect.get(sp.rule) == "page_end"}
    return sorted(out)


def identify_articles(
    articles: list[dict[str, object]],
    raws: list[RawRecord],
    text: str,
    fmt: str,
    breaks: list[int] | None = None,
    full_body_words: int | None = None,
) -> None:
    """Set ``url``, ``site``, ``site_source``, ``outlet`` and ``outlet_source`` of a file's article rows (kind
    'article') from what the record and its page state (``corpus_etl.identity``); never from the file's folder.

    A plain text's record first takes what it and the text up to the next article state; a record left without
    an outlet (or site) then takes the page-level one of its page: the first copyright line of the page (its
    domain for the site), else the domain-name masthead above the page's first record, unless a full article
    record lies between them (``_carry_page_identity``). A page runs from one of ``breaks`` to the next; with no
    breaks the file is one page.

    Args:
        articles: the rows, in the order of ``raws`` (changed in place).
        raws: the split records (their spans into ``text``, the byline's outlet, JSONL fields).
        text: the decoded source text.
        fmt: the input format: only a plain text ('text') is searched around the records (its page chrome:
            URL lines, copyright lines, mastheads); other formats give JSONL fields and the body's wire credit.
        breaks: where the text's pages end (``page_breaks``); None or empty: one page.
        full_body_words: the body words of a full article record (the run's
            ``extraction.min_body_words_before_split``; None: the default).
    """
    starts = [r.char_start for r in raws if r.kind == "article"] + [len(text)]
    k = 0
    prev_end = 0
    for row, raw in zip(articles, raws, strict=True):
        if raw.kind == "article":
            k += 1
            body_head = "\n".join(raw.paragraphs[:3])
            if fmt == "text":
                start, nxt = raw.char_start, max(starts[k], raw.char_end)
                page = text[start:nxt]
                above = text[prev_end:start]
                head = text[start : min(raw.char_end, start + 2000)]
            else:
                page = above = head = ""
            top = above if k == 1 else ""
            site = find_site(head, above, page, raw.meta, top)
            outlet = find_outlet(raw.outlet, body_head, page, raw.meta, top)
            row["url"] = site.url if site else None
            row["site"] = site.site if site else None
            row["site_source"] = site.source if site else None
            row["outlet"] = outlet.name
            row["outlet_source"] = outlet.source
        prev_end = max(prev_end, raw.char_end)
    if fmt == "text":
        _carry_page_identity(articles, raws, text, breaks or [], full_body_words)


def _carry_page_identity(
    articles: list[dict[str, object]],
    raws: list[RawRecord],
    text: str,
    breaks: list[int],
    full_body_words: int | None = None,
) -> None:
    """Give the article rows still without an outlet (or site) the page-level one of their page (see
    ``identify_articles``). A copyright line reaches a record only when no other article record of a full body
    (``SplitOptions.min_body_words_before_split`` words) lies between them: two such articles are as likely two
    pages glued without a break (the second page's footer is not the first's) as two articles of one page."""
    big = SplitOptions().min_body_words_before_split if full_body_words is None else full_body_words
    edges = [0, *(b for b in sorted(set(breaks)) if 0 < b < len(text)), len(text) + 1]
    pages: dict[int, list[tuple[dict[str, object], RawRecord]]] = {}
    for row, raw in zip(articles, raws, strict=True):
        if raw.kind == "article":
            n = bisect.bisect_right(edges, raw.char_start) - 1  # (the page whose end lies after its start)
            pages.setdefault(n, []).append((row, raw))
    for n, members in pages.items():
        if all(r["outlet_source"] != "none" and r["site"] is not None for r, _ in members):
            continue
        lo, hi = edges[n], min(edges[n + 1], len(text))
        first = min(raw.char_start for _, raw in members)
        page_head = text[lo:first]
        at, owner, pos, owner_line = lo, None, -1, ""
        for line in text[lo:hi].splitlines(keepends=True):
            if line.strip() and (owner := copyright_owner(line.strip())):
                pos, owner_line = at, line
                break
            at += len(line)
        outlet_name: str | None = owner
        outlet_source = "copyright"
        if owner is not None:
            page_site = find_site("", "", owner_line)
        else:
            masthead = find_outlet(None, "", "", None, page_head)
            outlet_name, outlet_source, pos = masthead.name, masthead.source, first
            page_site = find_site("", "", "", None, page_head)
        if outlet_name is None and page_site is None:
            continue
        for row, raw in members:
            lo_pos, hi_pos = sorted((raw.char_start, pos))
            between = [o for _, o in members if o is not raw and lo_pos <= o.char_start < hi_pos]
            if any(o.body_words >= big for o in between):
                continue  # a full article between them: perhaps another page's
            if row["outlet_source"] == "none" and outlet_name is not None:
                row["outlet"], row["outlet_source"] = outlet_name, outlet_source
            if row["site"] is None and page_site is not None:
                row["url"], row["site"], row["site_source"] = page_site.url, page_site.site, page_site.source


def flag_two_pages(
    articles: list[dict[str, object]],
    raws: list[RawRecord],
    lines: list[Line] | None,
    rules: Rules,
    min_words: int,
    page_gaps: list[tuple[int, float]] | None = None,
) -> None:
    """Set ``may_hold_two_pages`` of a file's article rows (kind 'article') from the page cues left inside each
    record (``corpus_etl.glued.two_page_cues``). Rows of a text without logical lines (JSONL, Multi-News: their
    records' bounds are given) keep False.

    Args:
        articles: the rows, in the order of ``raws`` (changed in place).
        raws: the split records (spans and paragraphs).
        lines: the plain text's logical lines (``SplitResult.lines``), or None.
        rules: the boilerplate rules.
        min_words: body words needed on both sides of a cue (``SplitOptions.min_body_words_before_split``).
        page_gaps: where the page model saw a page start it did not split at (``SplitResult.page_gap_probs``).
    """
    if not lines:
        return
    for row, raw in zip(articles, raws, strict=True):
        if raw.kind == "article":
            paras = [(a, b, len(p.split())) for p, (a, b) in zip(raw.paragraphs, raw.paragraph_spans, strict=True)]
            cues = two_page_cues(lines, (raw.char_start, raw.char_end), paras, rules, min_words, page_gaps or ())
            row["may_hold_two_pages"] = bool(cues)


# Settings() by the CORPUS_ETL_ variables of the environment (reading them through pydantic costs about a
# millisecond: as much as splitting a short file); the settings are frozen, so one object serves every call.
_SETTINGS: dict[tuple[tuple[str, str], ...], Settings] = {}


def _default_settings() -> Settings:
    """``Settings()`` for the environment as it is now (made once per distinct set of ``CORPUS_ETL_`` variables,
    matched without regard to case as pydantic-settings matches them)."""
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.lower().startswith("corpus_etl_")))
    settings = _SETTINGS.get(key)
    if settings is None:
        if len(_SETTINGS) >= 8:
            _SETTINGS.clear()
        settings = _SETTINGS[key] = Settings()
    return settings


def extract_records(
    text: str,
    settings: Settings | None = None,
    source_id: str = "text",
    source_path: str = "<text>",
    fmt: str = "text",
    learned: frozenset[str] = frozenset(),
) -> list[dict[str, object]]:
    """Split and normalise a decoded text into article rows, without any I/O (for eval and notebooks).

    Args:
        text: the decoded source text.
        settings: run settings (defaults when None).
        source_id: id to put in the rows.
        source_path: path to put in the rows.
        fmt: input format (text, multinews, jsonl).
        learned: learned boilerplate line hashes of the text's outlet (``corpus_etl.learned``).

    Returns:
        The ``articles`` rows, in text order (``run_id`` is "adhoc").
    """
    settings = settings or _default_settings()
    rules = load_rules(settings.extraction.rules_path)
    split = split_document(text, fmt, rules, settings.split_options(), settings.reading.text_field, learned)
    at = datetime.now(UTC)
    rows = [r.article for r in build_articles(split.records, source_id, source_path, settings, "adhoc", at)]
    date_articles(rows, split.records, text, source_path, None)
    identify_articles(
        rows,
        split.records,
        text,
        fmt,
        page_breaks(split.removed, rules),
        settings.extraction.min_body_words_before_split,
    )
    flag_two_pages(
        rows,
        split.records,
        split.lines,
        rules,
        settings.extraction.min_body_words_before_split,
        split.page_gap_probs,
    )
    return rows


@dataclass
class SourceResult:
    """What became of one source file: its ``sources`` row and its rows of the per-source tables."""

    source: dict[str, object]
    rows: dict[str, list[dict[str, object]]] = field(default_factory=lambda: {t.name: [] for t in schema.PER_SOURCE})


def _read_text(path: str) -> str:
    return decode_bytes(Path(path).read_bytes()).text


def process_source(
    src: SourceFile,
    settings: Settings,
    run_id: str,
    at: datetime,
    learned: frozenset[str] = frozenset(),
    read: SourceText | None = None,
) -> SourceResult:
    """Read, decode, split, normalise and language-tag one file. Never raises for bad input.

    ``split_source`` then ``finish_source`` (``process_batch`` runs the two apart, to detect the languages of
    several files' records together).

    Args:
        src: the discovered file.
        settings: the run settings.
        run_id: the Prefect flow-run id.
        at: the run's start time (``ingested_at``).
        learned: the learned boilerplate line hashes of the file's outlet (``corpus_etl.learned``).
        read: the file as the run's pre-pass read it (``corpus_etl.reading``); None: read it here.

    Returns:
        The ``sources`` row (status 'loaded' or 'failed' with a one-line ``error``) and the file's rows
        for the per-source tables (articles, paragraphs, removed_spans, clusters).
    """
    got = split_source(src, settings, run_id, learned, read)
    return got if isinstance(got, SourceResult) else finish_source(got, src, settings, run_id, at)


@dataclass
class SplitSource:
    """A file read, decoded and split (``split_source``), its records normalised: what ``finish_source`` makes the
    file's rows of. ``samples``: the text whose language is detected for each record (``language_samples``)."""

    result: SourceResult  # the ``sources`` row so far, no rows yet
    text: str
    fmt: str
    split: SplitResult
    norm: list[_Normalised]
    samples: list[str]


def split_source(
    src: SourceFile,
    settings: Settings,
    run_id: str,
    learned: frozenset[str] = frozenset(),
    read: SourceText | None = None,
) -> SourceResult | SplitSource:
    """The first half of ``process_source``: read, decode, split (spans checked) and normalise one file. A file that
    fails there comes back as its ``SourceResult`` (status 'failed', the one-line ``error``); never raises for bad
    input."""
    path = display_path(src.path)  # the file is read by its real name; rows hold a printable one
    row: dict[str, object] = {
        "source_id": src.source_id,
        "path": path,
        "collection": src.collection,
        "size_bytes": src.size_bytes,
        "mtime": src.mtime,
        "sha256": None,
        "encoding": None,
        "compression": None,
        "format": None,
        "n_chars": None,
        "n_articles": 0,
        "n_quarantined": 0,
        "n_removed_spans": 0,
        "status": "failed",
        "error": None,
        "first_run_id": run_id,
        "last_run_id": run_id,
        "loaded_run_id": None,
    }
    result = SourceResult(row)
    got = read_text(src, settings) if read is None else read  # read, decoded, format detected (corpus_etl.reading)
    row.update(got.fields)
    if got.error is not None or got.text is None:
        row["error"] = got.error
        return result
    text, fmt = got.text, str(got.fields["format"])
    del got, read
    try:
        split = split_document(
            text,
            fmt,
            load_rules(settings.extraction.rules_path),
            settings.split_options(),
            settings.reading.text_field,
            learned,
        )
        problems = check_coverage(split)
        if problems:
            row["error"] = "span accounting failed: " + "; ".join(problems[:3])
            return result
        norm = normalise_records(split.records)
        samples = language_samples(norm, settings)
    except Exception as exc:  # a bug must not stop the run: the file fails with the reason
        row["error"] = f"split failed: {type(exc).__name__}: {exc}"
        return result
    return SplitSource(result, text, fmt, split, norm, samples)


def finish_source(got: SplitSource, src: SourceFile, settings: Settings, run_id: str, at: datetime) -> SourceResult:
    """The second half of ``process_source``: the rows of a file ``split_source`` split (languages, dates, ids,
    removed spans; the rows' spans checked). Never raises for bad input."""
    result, text, fmt, split = got.result, got.text, got.fmt, got.split
    row, path = result.source, display_path(src.path)
    try:
        records = build_articles(split.records, src.source_id, path, settings, run_id, at, got.norm, got.samples)
        date_articles([r.article for r in records], split.records, text, path, latest_date(row["mtime"]))
        breaks = page_breaks(split.removed, load_rules(settings.extraction.rules_path))
        full = settings.extraction.min_body_words_before_split
        identify_articles([r.article for r in records], split.records, text, fmt, breaks, full)
        flag_two_pages(
            [r.article for r in records],
            split.records,
            split.lines,
            load_rules(settings.extraction.rules_path),
            settings.extraction.min_body_words_before_split,
            split.page_gap_probs,
        )
        clusters = _clusters(src, fmt, run_id)
    except Exception as exc:  # a bug must not stop the run: the file fails with the reason
        row["error"] = f"split failed: {type(exc).__name__}: {exc}"
        return result
    ids = [r.article["article_id"] for r in records]
    result.rows["articles"] = [r.article for r in records]
    result.rows["paragraphs"] = [p for r in records for p in r.paragraphs]
    result.rows["clusters"] = clusters
    if fmt == "text" and settings.extraction.learned_min_files:
        outlet = outlet_key(src.path)
        result.rows["line_hashes"] = [
            {"source_id": src.source_id, "folder": outlet, "line_hash": h, "run_id": run_id}
            for h in file_line_hashes(text, split.lines)
        ]
    result.rows["removed_spans"] = [
        {
            "source_id": src.source_id,
            "char_start": sp.start,
            "char_end": sp.end,
            "rule": sp.rule,
            "text": text[sp.start : sp.end],
            "article_id": None if sp.record is None else ids[sp.record],
            "run_id": run_id,
        }
        for sp in split.removed
    ]
    # The rows as they will be loaded must tile the decoded text: record spans and the removed spans
    # between records, without gap or overlap (quarantine later moves records, never changes spans).
    problems = row_coverage(len(text), result.rows["articles"], result.rows["removed_spans"])
    if problems:
        row["error"] = "span accounting failed: " + "; ".join(problems[:3])
        result.rows = {t.name: [] for t in schema.PER_SOURCE}
        return result
    row.update(
        status="loaded",
        n_articles=len(records),
        n_removed_spans=len(result.rows["removed_spans"]),
        loaded_run_id=run_id,
    )
    return result


def row_coverage(n_chars: int, articles: list[dict[str, object]], removed: list[dict[str, object]]) -> list[str]:
    """What breaks the accounting of one file's rows (empty when they tile ``[0, n_chars)`` exactly).

    The spans of its records and of its removed spans outside records must cover every decoded character
    once; a removed span inside a record must lie inside that record.
    """
    spans = sorted(
        [(int(a["char_start"]), int(a["char_end"])) for a in articles]  # type: ignore[call-overload]
        + [(int(r["char_start"]), int(r["char_end"])) for r in removed if r["article_id"] is None]  # type: ignore[call-overload]
    )
    problems: list[str] = []
    at = 0
    for start, end in spans:
        if start != at:
            problems.append(f"{'gap' if start > at else 'overlap'} at character {min(start, at)}")
        if end < start:
            problems.append(f"span {start}-{end} ends before it starts")
        at = max(at, end)
    if at != n_chars:
        problems.append(f"spans end at {at}, the text has {n_chars} characters")
    inside = {str(a["article_id"]): (a["char_start"], a["char_end"]) for a in articles}
    for r in removed:
        if r["article_id"] is not None:
            lo, hi = inside.get(str(r["article_id"]), (None, None))
            if lo is None or r["char_start"] < lo or r["char_end"] > hi:  # type: ignore[operator]
                problems.append(f"removed span {r['char_start']}-{r['char_end']} outside its record")
    return problems


_UNSTORABLE = (pa.ArrowException, UnicodeError, ValueError, TypeError, OverflowError)


def _to_tables(result: SourceResult) -> dict[str, pa.Table]:
    """A file's per-source tables, each table's row dicts dropped as soon as it is built (the articles' are
    kept: the index rows are computed from them), so a file's rows are not held twice, as dicts and as Arrow.

    Rows that cannot be stored fail their file, not the batch: it becomes ``failed`` with the reason (the
    first table that cannot be built) and its tables are empty.
    """
    tables: dict[str, pa.Table] = {}
    try:
        for spec in schema.PER_SOURCE:
            tables[spec.name] = schema.to_table(spec, result.rows[spec.name])
            if spec is not schema.ARTICLES:
                result.rows[spec.name] = []
    except _UNSTORABLE as exc:
        why = f"rows cannot be stored: {type(exc).__name__}: {exc}".splitlines()[0][:500]
        result.source.update(status="failed", error=why, n_articles=0, n_removed_spans=0, loaded_run_id=None)
        result.rows = {t.name: [] for t in schema.PER_SOURCE}
        return {spec.name: schema.empty_table(spec) for spec in schema.PER_SOURCE}
    return tables


def _clusters(src: SourceFile, fmt: str, run_id: str) -> list[dict[str, object]]:
    """The cluster summaries of a Multi-News .src file, from the .tgt file beside it (if any)."""
    if fmt != "multinews":
        return []
    tgt = sibling(src.path, ".tgt")
    if tgt is None:
        return []
    summaries = read_summaries(_read_text(str(tgt)))
    return [
        {
            "source_id": src.source_id,
            "cluster": c,
            "summary": s,
            "summary_path": display_path(str(tgt)),
            "run_id": run_id,
        }
        for c, s in summaries.items()
    ]


@dataclass(frozen=True)
class BatchOutput:
    """The staging files of one processed batch and its counts (small: crosses process boundaries)."""

    batch: int
    paths: dict[str, str]  # table name -> staging Parquet file (per-source tables and 'sources')
    n_sources: int
    n_failed: int
    n_records: int
    n_removed: int
    bytes_read: int
    seconds: float
    # analytics index rows of the batch's articles (kept until the run's analytics update; see
    # corpus_etl.analytics.index): staging table name -> Parquet file
    index_paths: dict[str, str] = field(default_factory=dict)


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write a zstd Parquet file under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)


class _StagingWriter:
    """A zstd Parquet file written in pieces under a temporary name, renamed into place when closed."""

    def __init__(self, path: Path, spec: schema.TableSpec, compression: str = "zstd", dictionary: bool = True) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.writer = pq.ParquetWriter(self.tmp, spec.schema, compression=compression, use_dictionary=dictionary)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self.writer.write_table(table)

    def close(self) -> str:
        self.writer.close()
        self.tmp.replace(self.path)
        return str(self.path)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


INDEX_CHUNK = 256  # articles whose index rows are computed and written together (process_batch)
# process_batch splits files until they hold this many records or characters, then detects their languages together
# (a file that would take the characters over the limit is split after the files before it are written: a worker
# holds the splits of at most the limit's worth of small files, or of one big file, as it did one file at a time)
LANGUAGE_GROUP = 256
LANGUAGE_GROUP_CHARS = 1_000_000


def detect_ahead(samples: list[str], settings: Settings) -> None:
    """Detect the languages of ``samples`` (``language_samples`` of several files) together, into this process's
    cache of detections (``langid.detect_languages``), where each file's own detection (``build_articles``) then
    finds them: the same answers (each text is detected on its own random stream), the engine's steps shared by
    all the files' texts. An error is left to each file's own detection, which reports it as that file's."""
    if not samples:
        return
    try:
        detect_languages(samples, **_language_options(settings))  # type: ignore[arg-type]
    except Exception:  # (the file's own detection raises it again, on its file)
        pass


def process_batch(
    files: list[SourceFile],
    batch: int,
    settings: Settings,
    run_id: str,
    at: datetime,
    out_dir: str,
    learned: dict[str, frozenset[str]] | None = None,
    spool: str | None = None,
) -> BatchOutput:
    """Process a batch of files and write its staging Parquet files (one per table).

    Args:
        files: the batch's discovered files.
        batch: batch number (names the staging files).
        settings: run settings.
        run_id: the Prefect flow-run id.
        at: the run's start time.
        out_dir: the run's staging directory.
        learned: learned boilerplate line hashes by outlet key (``corpus_etl.learned.learn``), or None.
        spool: the batch's files as the pre-pass read them (``corpus_etl.reading``), or None: read here.

    Returns:
        Paths of the staging files and the batch's counts.
    """
    t0 = time.perf_counter()
    learned = learned or {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Streamed file by file: a worker holds the rows of one file at a time, not of the whole batch. The
    # analytics index rows (MinHash signatures, LSH buckets, search postings) are computed here, in
    # parallel, rather than by the single writer at the end of the run.
    stem = out / f"batch-{batch:06d}"
    writers = {
        **{spec.name: _StagingWriter(Path(f"{stem}.{spec.name}.parquet"), spec) for spec in schema.PER_SOURCE},
        **{
            f"index.{name}": _StagingWriter(out / f"batch-{batch:06d}.index.{name}.parquet", spec)
            for name, spec in INDEX_STAGED.items()
        },
        # random 64-bit hashes: neither a dictionary nor compression would shrink them
        "index.shingles": _StagingWriter(
            out / f"batch-{batch:06d}.index.shingles.parquet", schema.STAGED_SHINGLES, "none", dictionary=False
        ),
    }
    sources: list[dict[str, object]] = []
    n_records = n_removed = 0
    # Files are split a few at a time, then their records' languages detected together (``detect_ahead``), then each
    # file's rows are made and written: the language engine runs its texts side by side, and a file of 20 stories
    # alone left most of a step's cost unshared (language detection was 45 % of a batch of such files).
    pending: list[tuple[SourceFile, SourceResult | SplitSource]] = []

    def write(f: SourceFile, r: SourceResult) -> None:
        nonlocal n_records, n_removed
        tables = _to_tables(r)
        sources.append(r.source)
        n_records += tables["articles"].num_rows
        n_removed += tables["removed_spans"].num_rows
        for spec in schema.PER_SOURCE:
            writers[spec.name].write(tables[spec.name])
        articles = r.rows["articles"]
        del r, tables  # written: the index rows below need only the articles' dicts
        # index rows a chunk of articles at a time (a 2 MB file's postings, signatures and shingle sets
        # held together were ~20 MB); one set of the content hashes staged keeps one call's rows
        shingled: set[str] = set()
        for start in range(0, len(articles), INDEX_CHUNK):
            chunk = articles[start : start + INDEX_CHUNK]
            index = index_tables(chunk, run_id, with_shingles=True, shingled_before=shingled, params=settings.analytics)
            for name, table in index.items():
                writers[f"index.{name}"].write(table)
            del chunk, index, table
        del articles, shingled
        forget_memos(load_rules(settings.extraction.rules_path))
        trim()  # the file's rows are written: their memory goes back now (corpus_etl.memory)

    def flush() -> None:
        detect_ahead([t for _, got in pending if isinstance(got, SplitSource) for t in got.samples], settings)
        while pending:
            f, got = pending.pop(0)
            write(f, got if isinstance(got, SourceResult) else finish_source(got, f, settings, run_id, at))
            del got

    try:
        held = chars = 0  # the records and characters of the files split and not yet written
        for f, read in zip(files, spooled_or_read(files, settings, spool), strict=True):
            if pending and chars + f.size_bytes > LANGUAGE_GROUP_CHARS:  # (never more held than one big file)
                flush()
                held = chars = 0
            got = split_source(f, settings, run_id, learned.get(outlet_key(f.path), frozenset()), read)
            del read
            pending.append((f, got))
            if isinstance(got, SplitSource):
                held, chars = held + len(got.samples), chars + len(got.text)
            del got
            if held >= LANGUAGE_GROUP or chars >= LANGUAGE_GROUP_CHARS:
                flush()
                held = chars = 0
        flush()
        paths = {name: w.close() for name, w in writers.items() if not name.startswith("index.")}
        index_paths = {n.removeprefix("index."): w.close() for n, w in writers.items() if n.startswith("index.")}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    # The sources file is written last: its presence marks the batch as complete.
    p = out / f"batch-{batch:06d}.sources.parquet"
    write_parquet_atomic(schema.to_table(schema.SOURCES, sources), p)
    paths["sources"] = str(p)
    return BatchOutput(
        batch=batch,
        paths=paths,
        n_sources=len(sources),
        n_failed=sum(1 for s in sources if s["status"] == "failed"),
        n_records=n_records,
        n_removed=n_removed,
        bytes_read=sum(int(s["size_bytes"] or 0) for s in sources),  # type: ignore[call-overload]
        seconds=time.perf_counter() - t0,
        index_paths=index_paths,
    )
