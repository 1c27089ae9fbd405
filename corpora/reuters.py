"""The Reuters-21578 corpus (../shared): its SGML records as ``(newid, title, body)``, shared by eval/ and bench/."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path


def collapse_ws(text: str | None) -> str:
    """Whitespace runs made one space, ends stripped (``None`` is the empty string)."""
    return " ".join((text or "").split())


_REUTERS = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("TITLE", "DATELINE", "BODY")}
_SIGN_OFF = re.compile(r"\s*\breuter\b[\s.]*$", re.I)


def render_reuters_body(raw: str) -> str:
    """A Reuters body as plain text: a line starting with spaces or a tab (or following a blank line)
    opens a paragraph; paragraphs are separated by a blank line, the hard wraps inside them are kept."""
    paragraphs: list[list[str]] = []
    fresh = True
    for line in raw.split("\n"):
        if not line.strip():
            fresh = True
            continue
        if fresh or line[:1] in (" ", "\t"):
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
        fresh = False
    return "\n\n".join("\n".join(p) for p in paragraphs)


def parse_reuters(sgml: str) -> list[tuple[str, str, str]]:
    """``(newid, title, body)`` of the records with a TITLE and a BODY. The body is DATELINE + BODY as
    on the wire (entities unescaped, ``\\x03`` and the "Reuter" sign-off removed), rendered as plain text."""
    out: list[tuple[str, str, str]] = []
    for m in _REUTERS.finditer(sgml):
        attrs, inner = m.group(1), m.group(2)
        fields = {k: rx.search(inner) for k, rx in _FIELD.items()}
        title_m, body_m = fields["TITLE"], fields["BODY"]
        if title_m is None or body_m is None:
            continue
        newid_m = _NEWID.search(attrs)
        title = collapse_ws(html.unescape(title_m.group(1)))
        dateline = html.unescape(fields["DATELINE"].group(1)) if fields["DATELINE"] else ""
        body = html.unescape(body_m.group(1)).replace("\x03", "").replace("\r\n", "\n").replace("\r", "")
        body = _SIGN_OFF.sub("", body.rstrip())
        body = render_reuters_body(dateline + body)
        if title and body:
            out.append((newid_m.group(1) if newid_m else "?", title, body))
    return out


def reuters_articles(
    root: Path, rng: random.Random, quick: bool, min_words: int = 40
) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """``(id, text, title, body)`` of the Reuters stories with a title and a body of ``min_words`` words or more."""
    files = sorted((root / "corpora" / "reuters21578").glob("reut2-*.sgm"))
    if quick:
        files = sorted(rng.sample(files, 3))
    out = []
    for path in files:
        for newid, title, body in parse_reuters(path.read_bytes().decode("latin-1")):
            if len(body.split()) >= max(min_words, 1):
                out.append((f"{path.stem}#{newid}", f"{title}\n\n{body}", title, body))
    return out, [p.name for p in files]
