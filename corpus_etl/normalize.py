"""Unicode and whitespace normalisation of extracted text.

Pure functions. ``normalize_text`` is idempotent (``normalize_text(normalize_text(x)) ==
normalize_text(x)``, a property test): NFC, mojibake repair with ftfy, spaces of every width made plain,
zero-width and control characters dropped, curly quotes and dashes kept as written, one space between
words, paragraphs separated by exactly one blank line.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Characters that render as a space: NBSP, the U+2000 block, narrow NBSP, ideographic space, tab...
_SPACES = re.compile(r"[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Zero-width characters, soft hyphen, BOM, word joiner, bidi marks.
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u2028\u2029\u2060-\u2064\u202a-\u202e\ufeff]")
# C0/C1 control characters except newline (tab and friends were turned into spaces above).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_MULTISPACE = re.compile(r" {2,}")
# Every character that _SPACES, _INVISIBLE or _CONTROL changes, and the line breaks.
_ODD = re.compile(r"[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]")

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are kept as written
    fix_character_width=False,  # full-width CJK punctuation is not ours to change
    fix_latin_ligatures=True,
    normalization="NFC",
    explain=False,
)


def normalize_inline(text: str) -> str:
    """Normalise one line: NFC, plain spaces, no invisible or control characters, single spaces.

    Args:
        text: a line of text (newlines, if any, become spaces).

    Returns:
        The cleaned line, stripped at both ends. Does not run ftfy (see ``normalize_text``).
    """
    # Most lines are already NFC and hold no character the steps below change: only the runs of spaces
    # and the ends are left to do (the same result, one search instead of four substitutions).
    # (A physical line's newline would become a space and be stripped: it is dropped first.)
    line = text[:-1] if text.endswith("\n") else text
    if (line.isascii() or unicodedata.is_normalized("NFC", line)) and _ODD.search(line) is None:
        return (_MULTISPACE.sub(" ", line) if "  " in line else line).strip()
    return _normalize_inline_full(text)


def _normalize_inline_full(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r", " ").replace("\n", " ")
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = _MULTISPACE.sub(" ", text)
    return text.strip()


def repair_mojibake(text: str) -> str:
    """Repair mojibake (``Ã©`` -> ``é``) with ftfy, keeping quotes and dashes as written."""
    if text.isascii():
        return text
    return ftfy.fix_text(text, config=_FTFY)


def normalize_paragraphs(paragraphs: list[str]) -> str:
    """Join paragraphs into a body: each normalised inline, empty ones dropped, one blank line between."""
    out = [p for p in (normalize_inline(p) for p in paragraphs) if p]
    return "\n\n".join(out)


def normalize_text(text: str) -> str:
    """Normalise a whole text; paragraphs are the blocks between blank lines.

    Single newlines inside a paragraph are kept as line breaks (a hard-wrapped paragraph is joined by
    the splitter before it gets here). Mojibake repair can reveal more mojibake, so the steps are
    repeated until nothing changes (at most a few rounds; once for clean text).

    Args:
        text: any string.

    Returns:
        The normalised text; idempotent.
    """
    out = _normalize_once(text)
    for _ in range(4):
        again = _normalize_once(out)
        if again == out:
            break
        out = again
    return out


def _normalize_once(text: str) -> str:
    text = repair_mojibake(unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = normalize_inline(raw)
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)
