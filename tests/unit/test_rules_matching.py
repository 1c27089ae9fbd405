"""The rules file's line rules matched all at once give the first rule that matches, as trying them in order."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl.normalize import normalize_inline
from corpus_etl.rules import LineRule, Rules, load_rules
from tests.conftest import CORPORA, SEEDS, need_shared


def _lines() -> list[str]:
    lines: list[str] = []
    paths = sorted(p for p in need_shared(SEEDS).iterdir() if p.is_file())
    paths += sorted(need_shared(CORPORA / "scrapinghub" / "page_text").iterdir())
    for path in paths:
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = normalize_inline(raw)
            if line:
                lines.append(line)
    return lines


def test_first_match_equals_rule_by_rule_on_real_pages() -> None:
    rules = load_rules()
    assert rules._first is not None  # type: ignore[attr-defined]  # the packaged rules take the shortcut
    lines = _lines()
    got = [rules.match_line(t) for t in lines]
    want = [rules.match_line_each(t) for t in lines]
    assert got == want
    assert sum(r is not None for r in want) > 500  # real chrome lines matched, by many rules
    assert len({r.name for r in want if r is not None}) >= 8


def _rule(name: str, exact: tuple[str, ...] = (), patterns: tuple[str, ...] = (), flags: int = 0) -> LineRule:
    return LineRule(
        name, "remove", frozenset(s.casefold() for s in exact), tuple(re.compile(p, flags) for p in patterns)
    )


def _rules(lines: tuple[LineRule, ...]) -> Rules:
    base = load_rules()
    return Rules(
        "test",
        "test",
        lines,
        (),
        base.tag,
        base.byline,
        base.author_role,
        base.person_name,
        base.dateline,
        base.date_line,
        base.comment_marker,
    )


OVERLAPPING = (
    _rule("a", patterns=(r"read more.*",), flags=re.IGNORECASE),
    _rule("b", exact=("Read more", "Share")),
    _rule("c", patterns=(r"[A-Z][a-z]+",)),  # case-sensitive
    _rule("d", patterns=(r"share( this)?", r"\d+ comments"), flags=re.IGNORECASE),
    _rule("e", exact=("advertisement",)),
    _rule("f", patterns=(r"(?P<cut>by) .*",)),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Read",
                "read",
                "more",
                "MORE",
                "Share",
                "share",
                "this",
                "3",
                "comments",
                "by",
                "x",
                "Advertisement",
                "Zebra",
            ]
        ),
        min_size=1,
        max_size=4,
    ).map(" ".join)
)
def test_first_match_respects_rule_order_and_case(line: str) -> None:
    rules = _rules(OVERLAPPING)
    assert rules._first is not None  # type: ignore[attr-defined]
    assert rules.match_line(line) == rules.match_line_each(line)


def test_patterns_that_cannot_be_joined_fall_back_to_rule_by_rule() -> None:
    backref = _rules((_rule("twice", patterns=(r"(\w+) \1",)), _rule("x", exact=("x",))))
    assert backref._first is None  # type: ignore[attr-defined]
    assert backref.match_line("go go") is not None and backref.match_line("go went") is None
    clash = _rules((_rule("p", patterns=(r"(?P<cut>a)b",)), _rule("q", patterns=(r"(?P<cut>c)d",))))
    assert clash._first is None  # type: ignore[attr-defined]
    assert clash.match_line("cd").name == "q"  # type: ignore[union-attr]
