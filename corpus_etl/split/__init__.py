"""Split the decoded text of a plain-text source into records, accounting for every character.

Pure functions, no I/O. The text is cut into logical lines (a hard-wrapped paragraph is one logical
line); each line is classified with the rules file (chrome, tag line, byline, author block, photo
credit, image alt text, headline, prose) and a small state machine groups the lines into records:
main articles, and related-story teasers after an "Editors' Recommendations"-style heading.

A text with web chrome is one web page: only strong evidence opens a second article there (see
``passes.records.merge_weak_splits``), and the bodies are trimmed by the paragraph classifier of ``paragraphs.py``.
Lines learned as the outlet's boilerplate (``learned.py``) are removed ('learned_repeat'), and so are the
paragraphs a file of explicit segments repeats across unrelated clusters ('collection_repeat', ``formats.py``).

The result accounts for the whole text: record extents and the removed spans between them partition
``[0, len(text))``; removed spans inside a record's extent carry that record's index.

The package, one job a module:

- ``lines``: logical lines (hard wrap) and the line tests (headline, prose, byline, date line, ...);
- ``options``: ``SplitOptions``, ``SplitResult``, ``RawRecord``, ``RemovedSpan``, ``Piece``;
- ``rule_groups``: which removal rules mean what (web page chrome, menus, repeats, weak text);
- ``state``: ``SplitState``, what the passes read and write, and its bookkeeping;
- ``scan``: the rules' line-by-line pass that opens the records;
- ``paragraph_classes``: the paragraph classifier as the passes ask it;
- ``passes/``: the passes after the scan (``records``, ``trim``, ``titles``, ``bodies``, ``briefs``);
- ``assemble``: the records and removed spans out of the pieces, and ``check_coverage``;
- ``run``: **the order of the passes** (``PASSES``) and the entry points ``split_text``, ``rule_view_of``,
  ``page_gaps_of``.

This module re-exports the names the rest of corpus-etl imports from ``corpus_etl.split``.
"""

from __future__ import annotations

from .assemble import check_coverage
from .lines import (
    _INNER_SENTENCE,
    _SENTENCE_END,
    Line,
    _hard_wrapped,
    _wrap_width,
    cosine,
    is_date_line,
    is_headline,
    is_navigation_list,
    is_prose,
    is_standfirst,
    is_table_row,
    logical_lines,
    parse_byline,
    parse_date_line,
    parse_tags,
    topic_vector,
    words,
)
from .options import Piece, RawRecord, RemovedSpan, SplitOptions, SplitResult
from .rule_groups import RULE_VIEW_GROUPS
from .run import PASSES, Pass, page_gaps_of, record_rows_of, rule_view_of, run, split_text
from .state import SplitState

__all__ = [
    "PASSES",
    "RULE_VIEW_GROUPS",
    "_INNER_SENTENCE",
    "_SENTENCE_END",
    "Line",
    "Pass",
    "Piece",
    "RawRecord",
    "RemovedSpan",
    "SplitOptions",
    "SplitResult",
    "SplitState",
    "_hard_wrapped",
    "_wrap_width",
    "check_coverage",
    "cosine",
    "is_date_line",
    "is_headline",
    "is_navigation_list",
    "is_prose",
    "is_standfirst",
    "is_table_row",
    "logical_lines",
    "page_gaps_of",
    "parse_byline",
    "parse_date_line",
    "parse_tags",
    "record_rows_of",
    "rule_view_of",
    "run",
    "split_text",
    "topic_vector",
    "words",
]
