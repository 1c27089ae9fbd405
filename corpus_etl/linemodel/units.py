"""The units the line model labels: the logical lines of a plain text, long lines cut into sentences.

A unit is a logical line of ``split.logical_lines`` (a hard-wrapped paragraph is one line), or, for a line of
more than ``MAX_LINE_CHARS`` characters, one sentence of it: some renderings put a whole article (or an
article and its menus) on a few very long lines, which a line classifier could only keep or drop whole.

Units tile their lines: the pieces of a cut line cover ``[line.start, line.end)`` of the source text in order
(a piece's ``start`` is where its first word is found in the source, from the end of the piece before it).

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..split import Line, logical_lines

# Lines longer than this are cut into sentences.
MAX_LINE_CHARS = 400
# A sentence ends at . ! ? or … (and closing quotes or brackets) before a space and an upper-case letter,
# a digit or an opening quote. (Abbreviations like "Mr. Smith" are cut too: harmless for a classifier.)
_SENTENCE_CUT = re.compile(r"(?<=[.!?…])['\"’”»)\]]*\s+(?=[\"“‘«(\[]?[A-Z0-9À-ÖØ-ÞА-Я])")


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit: ``[start, end)`` in the source text, its clean text, its line and blank-line block.

    ``part`` is the sentence's index in its line (0 for a line that was not cut) and ``parts`` the number of
    pieces the line was cut into (1 when not cut).
    """

    start: int
    end: int
    text: str
    line: int
    block: int
    part: int = 0
    parts: int = 1


def cut_sentences(text: str, max_chars: int = MAX_LINE_CHARS) -> list[str]:
    """``text`` cut into sentences when it is longer than ``max_chars``, else ``[text]``.

    The pieces joined with single spaces give back ``text`` up to the white space at the cuts.
    """
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    pos = 0
    for m in _SENTENCE_CUT.finditer(text):
        piece = text[pos : m.start()] + m.group(0).rstrip()
        if piece.strip():
            pieces.append(piece.strip())
        pos = m.end()
    rest = text[pos:].strip()
    if rest:
        pieces.append(rest)
    return pieces or [text]


def make_units(text: str, max_chars: int = MAX_LINE_CHARS) -> list[Unit]:
    """The units of ``text`` in order (see the module docstring)."""
    return units_of_lines(text, logical_lines(text), max_chars)


def units_of_lines(text: str, lines: Sequence[Line], max_chars: int = MAX_LINE_CHARS) -> list[Unit]:
    """The units of ``lines``, logical lines of ``text`` (``split.logical_lines``; a run of them, e.g. one
    page of a file): ``Unit.line`` is the index in ``lines``, ``Unit.block`` the line's block."""
    units: list[Unit] = []
    for k, line in enumerate(lines):
        pieces = cut_sentences(line.text, max_chars)
        if len(pieces) == 1:
            units.append(Unit(line.start, line.end, line.text, k, line.block))
            continue
        starts = [line.start]
        cursor = line.start
        for piece in pieces[1:]:
            first = piece.split(maxsplit=1)[0]
            found = text.find(first, cursor + 1, line.end)
            cursor = found if found > cursor else cursor
            starts.append(cursor)
        ends = [*starts[1:], line.end]
        units.extend(
            Unit(s, e, piece, k, line.block, j, len(pieces))
            for j, (s, e, piece) in enumerate(zip(starts, ends, pieces, strict=True))
        )
    return units
