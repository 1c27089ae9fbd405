"""The order of the splitter's passes (``PASSES``) and the entry points that run them.

A split is a ``SplitState`` that each pass in ``PASSES`` reads and changes in turn, in that order, when its
condition holds: the rules' line-by-line scan opens the records, the passes after it decide which records stand
and what their bodies and titles are, and the last one assembles the records and removed spans that account for
every character. Each pass's docstring says what it reads and what it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..rules import Rules
from .assemble import assemble
from .lines import Line
from .options import SplitOptions, SplitResult
from .passes.bodies import line_model_bodies
from .passes.briefs import restore_dated_briefs, restore_headline_briefs
from .passes.empty_pages import restore_empty_pages
from .passes.heads import claim_heads
from .passes.records import (
    demote_junk_records,
    demote_untitled,
    detect_page,
    header_pages,
    long_related_are_articles,
    merge_weak_splits,
    untitle_lone_headlines,
)
from .passes.short_posts import restore_short_posts
from .passes.titles import choose_titles, untitle_navigation
from .passes.trim import recall_fallback, trim_edges
from .scan import scan
from .state import SplitState


def capture_rule_view(st: SplitState) -> None:
    """Keep what the rules made of the text (``SplitState.rule_view``) in ``st.view``: the line model's training
    reads it (``rule_view_of``). Reads the pieces and records; writes ``st.view``, changes nothing else."""
    st.view = st.rule_view()


@dataclass(frozen=True)
class Pass:
    """A step of the split: ``run`` changes the state when ``when`` holds of it (asked right before the step)."""

    name: str
    run: Callable[[SplitState], None]
    when: Callable[[SplitState], bool]


def _always(st: SplitState) -> bool:
    return True


# The passes in order. ``st.page`` (set by detect_page) and the options do not change during a split, so the
# conditions read the same before every pass.
PASSES: tuple[Pass, ...] = (
    Pass("scan", scan, _always),
    Pass("detect_page", detect_page, _always),
    # (a page start found once is a page start of the second split: it is not looked for again)
    Pass("header_pages", header_pages, lambda st: st.page and not st.page_starts and not st.opts.one_article),
    # (an explicit segment is one article: its related blocks rejoin too)
    Pass("merge_weak_splits", merge_weak_splits, lambda st: st.page or st.opts.one_article),
    Pass("long_related_are_articles", long_related_are_articles, lambda st: not (st.page or st.opts.one_article)),
    Pass("trim_edges", trim_edges, _always),
    Pass("demote_untitled", demote_untitled, lambda st: st.page),
    Pass("recall_fallback", recall_fallback, lambda st: st.page and st.opts.paragraph_classifier),
    Pass("choose_titles", choose_titles, lambda st: st.page and st.opts.title_model),
    Pass("line_model_bodies", line_model_bodies, lambda st: st.page and st.opts.line_model),
    # (the line model's training reads the rules' view, as it reads it)
    Pass("restore_dated_briefs", restore_dated_briefs, lambda st: st.page and not st.capture_view),
    Pass("restore_short_posts", restore_short_posts, lambda st: st.page and not st.capture_view),
    Pass("restore_empty_pages", restore_empty_pages, lambda st: st.page and not st.capture_view),
    Pass("restore_headline_briefs", restore_headline_briefs, lambda st: not st.capture_view),
    # again, around the bodies the line model chose (dragnet titles +0.018)
    Pass("choose_titles_again", choose_titles, lambda st: st.page and st.opts.line_model and st.opts.title_model),
    # the record model: article records that are page chrome, comments or teasers become 'related'
    Pass(
        "demote_junk_records",
        demote_junk_records,
        lambda st: st.page and st.opts.line_model and (st.opts.record_model or st.capture_records is not None),
    ),
    Pass("untitle_navigation", untitle_navigation, _always),
    Pass("untitle_lone_headlines", untitle_lone_headlines, lambda st: st.opts.one_article),
    Pass("capture_rule_view", capture_rule_view, lambda st: st.capture_view),
    # an article's extent starts at its removed head (headline, date, byline) right above its first kept line
    Pass("claim_heads", claim_heads, lambda st: st.page),
    Pass("assemble", assemble, _always),
)


def run(st: SplitState) -> SplitResult:
    """Run ``PASSES`` over ``st`` in order; the split's result (``st.result``, set by ``assemble``)."""
    for p in PASSES:
        if p.when(st):
            p.run(st)
    assert st.result is not None
    return st.result


def split_text(
    text: str,
    rules: Rules,
    opts: SplitOptions | None = None,
    learned: frozenset[str] = frozenset(),
    collection: frozenset[str] = frozenset(),
) -> SplitResult:
    """Split a plain-text source into records and removed spans.

    Args:
        text: the decoded source text.
        rules: compiled rules (``rules.load_rules()``).
        opts: splitter options.
        learned: hashes (``corpus_etl.learned.outlet_line_hash``) of the lines learned as boilerplate of the
            file's outlet; such a line is removed with rule 'learned_repeat'.
        collection: hashes of the paragraphs the text's file repeats across unrelated clusters
            (``corpus_etl.learned.collection_repeats``); such a line is removed with rule 'collection_repeat'.

    Returns:
        The records in text order (``char_start``/``char_end`` set) and the removed spans; record
        extents plus top-level removed spans partition ``[0, len(text))``.

    On a web page where the page model finds a second page inside what the rules read as one (glued pages), the
    text is split a second time with a page starting at each line it found (one extra pass, never more).
    """
    opts = opts or SplitOptions()
    sp = SplitState(text, rules, opts, learned, collection=collection)
    result = run(sp)
    if sp.found_page_starts:  # the page model found pages inside a page: split again with them as page starts
        result = run(SplitState(text, rules, opts, learned, frozenset(sp.found_page_starts), collection))
    result.page_gap_probs = [(sp.lines[i].start, q) for i, q in sorted(sp.unsplit_gaps.items()) if i < len(sp.lines)]
    return result


def rule_view_of(
    text: str, rules: Rules, opts: SplitOptions | None = None, learned: frozenset[str] = frozenset()
) -> tuple[SplitResult, list[tuple[int, int, int]]]:
    """The split of ``text`` by the rules alone (no line model) and its ``SplitState.rule_view`` (what the line
    model reads; its training calls this)."""
    sp = SplitState(text, rules, replace(opts or SplitOptions(), line_model=False), learned)
    sp.capture_view = True
    result = run(sp)
    return result, sp.view


def record_rows_of(
    text: str, rules: Rules, opts: SplitOptions | None = None
) -> tuple[SplitResult, list[tuple[Any, tuple[float, ...]]]]:
    """The split of ``text`` (as ``split_text``, no record demoted) and the record model's ``(RecordView, feature row)``
    of each article record on its last pass (the record model's training calls this)."""
    opts = opts or SplitOptions()
    sp = SplitState(text, rules, opts)
    sp.capture_records = []
    result = run(sp)
    if sp.found_page_starts:
        sp = SplitState(text, rules, opts, page_starts=frozenset(sp.found_page_starts))
        sp.capture_records = []
        result = run(sp)
    assert sp.capture_records is not None
    return result, sp.capture_records


def page_gaps_of(
    text: str, rules: Rules, opts: SplitOptions | None = None
) -> tuple[list[Line], list[tuple[int, list[Any]]]]:
    """The logical lines of ``text`` and the gaps (``linemodel.pages.Gap``) the page model reads on each page the
    splitter hands the line model, as ``(first line of the page, gaps)`` (the page model's training calls this;
    the page model itself is not asked)."""
    sp = SplitState(text, rules, replace(opts or SplitOptions(), page_model=False))
    sp.capture_gaps = []
    run(sp)
    return sp.lines, sp.capture_gaps
