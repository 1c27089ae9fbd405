"""Multi-News (../shared ``multinews_dev``): the ``.src`` file as given, and each line's articles glued by a blank
line."""

from __future__ import annotations

import re

from corpora.glue import Built, GoldArticle, build_concatenation

MIN_ARTICLE_WORDS = 20  # a Multi-News segment shorter than this is not scored as an article


_MN_SEP = re.compile(r"[ \t]*\|{5}[ \t]*")
_MN_NEWLINE = re.compile(r"[ \t]*NEWLINE_CHAR[ \t]*")


def multinews_unwrap(segment: str) -> str:
    """A Multi-News article as plain text: each NEWLINE_CHAR (with the spaces around it) made a newline."""
    return _MN_NEWLINE.sub("\n", segment).strip()


def multinews_segments(line: str, base: int = 0) -> list[tuple[int, int, str]]:
    """``(start, end, article text)`` of the non-empty ``|||||``-separated articles of one ``.src`` line (the
    span in the raw line plus ``base``)."""
    out = []
    pos = 0
    for m in [*_MN_SEP.finditer(line), None]:
        end = m.start() if m else len(line)
        raw = line[pos:end]
        text = multinews_unwrap(raw)
        if text:
            lead = len(raw) - len(raw.lstrip())
            out.append((base + pos + lead, base + pos + len(raw.rstrip()), text))
        if m:
            pos = m.end()
    return out


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def chrome_texts(lines: list[str]) -> set[str]:
    """The articles (``_key`` of their text) found under two lines or more: a text the gold puts in two different
    stories is no article of either but a scraper's failure text (the Internet Archive's crawl notice, Twitter's
    or a video player's text), as ``eval.stories`` reads it too."""
    where: dict[str, set[int]] = {}
    for cl, line in enumerate(lines):
        for _, _, t in multinews_segments(line.rstrip("\r\n")):
            where.setdefault(_key(t), set()).add(cl)
    return {k for k, cls in where.items() if len(cls) > 1}


def build_multinews(src: str, n_lines: int | None) -> tuple[Built, list[Built]]:
    """The ``.src`` file as given (first ``n_lines`` lines) and one text file per line, its articles joined by a
    blank line. Gold: every non-empty article but the chrome texts (``chrome_texts``: in the file, no article,
    no gold boundary); scored when it has ``MIN_ARTICLE_WORDS`` words or more."""
    lines = src.splitlines(keepends=True)[:n_lines]
    chrome = chrome_texts(lines)
    raw_golds: list[GoldArticle] = []
    text_files: list[Built] = []
    pos = 0
    for cl, line in enumerate(lines):
        segs = multinews_segments(line.rstrip("\r\n"), pos)
        for j, (s, e, t) in enumerate(segs):
            if _key(t) not in chrome:
                raw_golds.append(GoldArticle(f"{cl}.{j}", s, e, s, None, t, len(t.split()) >= MIN_ARTICLE_WORDS))
        text, spans = build_concatenation([t for _, _, t in segs], "\n\n")
        golds = [
            GoldArticle(f"{cl}.{j}", a, b, a, None, t, len(t.split()) >= MIN_ARTICLE_WORDS)
            for j, ((_, _, t), (a, b)) in enumerate(zip(segs, spans, strict=True))
            if _key(t) not in chrome
        ]
        text_files.append(Built(f"multinews-{cl:03d}", text, "text", None, golds, {"cluster": cl}))
        pos += len(line)
    return Built("multinews-dev", "".join(lines), "multinews", None, raw_golds), text_files
