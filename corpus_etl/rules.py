"""Load the versioned boilerplate / metadata rules file (``rules/boilerplate.toml``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_RULES = Path(__file__).with_name("rules") / "boilerplate.toml"

EFFECTS = ("remove", "page_start", "page_end", "related_start", "related_sep", "comments_start")


@dataclass(frozen=True)
class LineRule:
    """A rule that removes a whole line; ``effect`` also steers the splitter."""

    name: str
    effect: str
    exact: frozenset[str]
    regexes: tuple[re.Pattern[str], ...]
    # Lower-case strings one of which every line the regexes match holds (``line_key``); none: always tried.
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # One alternation of all the patterns: fullmatch succeeds when any of them matches the whole line
        # (the same answer as trying them one by one, at a fraction of the calls).
        combined = None
        if self.regexes:
            flags = self.regexes[0].flags
            combined = re.compile("|".join(f"(?:{rx.pattern})" for rx in self.regexes), flags)
        object.__setattr__(self, "_combined", combined)

    def matches(self, line: str) -> bool:
        if self.exact and line.casefold() in self.exact:
            return True
        if self.requires and not self.may_match(line_key(line)):
            return False
        combined: re.Pattern[str] | None = self._combined  # type: ignore[attr-defined]
        return combined is not None and combined.fullmatch(line) is not None

    def may_match(self, key: str) -> bool:
        """Whether a line whose ``line_key`` is ``key`` can match the regexes (False: it cannot)."""
        return not self.requires or any(r in key for r in self.requires)


# What ``re.IGNORECASE`` takes for an ASCII letter besides its cases that ``str.casefold`` does not fold to it:
# dotless i (U+0131) for i, and the i that casefold makes of capital I with dot (U+0130) keeps a combining dot.
_KEY_FIXES = str.maketrans({"\u0131": "i", "\u0307": None})


def line_key(line: str) -> str:
    """The line as ``LineRule.requires`` is looked up in: casefolded, so that it holds a required string
    whenever a case-insensitive pattern could find that string in the line (ſ, the Kelvin sign, dotless and
    dotted I fold to s, k and i)."""
    return _key_of_folded(line.casefold())


def _key_of_folded(folded: str) -> str:
    """``line_key`` of a line already casefolded."""
    return folded if folded.isascii() else folded.translate(_KEY_FIXES)


@dataclass(frozen=True)
class PrefixRule:
    """A rule that cuts the named group ``cut`` off the start of a line."""

    name: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Rules:
    """All rules of one rules file, compiled."""

    version: str
    path: str
    lines: tuple[LineRule, ...]
    prefixes: tuple[PrefixRule, ...]
    tag: re.Pattern[str]
    byline: re.Pattern[str]
    author_role: re.Pattern[str]
    person_name: re.Pattern[str]
    dateline: re.Pattern[str]
    date_line: re.Pattern[str]
    # A line that marks reader comments (a reply link, "X says:", a comment's timestamp), searched.
    comment_marker: re.Pattern[str]

    # match_line's answers by line (the splitter and the line model's features ask for the same lines)
    _memo: dict[str, LineRule | None] = field(default_factory=dict, compare=False, repr=False)

    def match_line(self, line: str) -> LineRule | None:
        """The first line rule that matches ``line`` (already inline-normalised), or None."""
        memo = self._memo
        if line in memo:
            return memo[line]
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        found = self._match_line(line)
        if (found is None or found.effect == "remove") and (bullet := _BULLET.match(line)) and bullet.end() < len(line):
            # an item of a list: "* © 2012 The Times"; a short item a list rule removes keeps the page's edge its text
            # marks ("* © Copyright 2006-2011 Bike Hugger™" in a footer's links ends the page as the line alone does)
            item = self._match_line(line[bullet.end() :])
            if found is None or (item is not None and item.effect in _PAGE_EDGES):
                found = item
        memo[line] = found
        return found

    def forget(self) -> None:
        """Forget ``match_line``'s answers (a batch worker calls it after each batch: ``pipeline.forget_memos``)."""
        self._memo.clear()

    def _match_line(self, line: str) -> LineRule | None:
        folded = line.casefold()  # once, not once per rule with exact patterns (``LineRule.matches``)
        key: str | None = None
        for rule in self.lines:
            if rule.exact and folded in rule.exact:
                return rule
            if rule.requires:
                if key is None:
                    key = _key_of_folded(folded)
                if not rule.may_match(key):
                    continue
            combined: re.Pattern[str] | None = rule._combined  # type: ignore[attr-defined]
            if combined is not None and combined.fullmatch(line) is not None:
                return rule
        return None


# A list item's bullet: a line no rule matches, or only a plain removal rule, is tried again without it.
_BULLET = re.compile(r"[*+•·o-]\s+")
_PAGE_EDGES = ("page_start", "page_end")  # the effects a list item keeps from its text without the bullet
_MEMO_MAX = 100_000  # lines remembered by Rules.match_line (then forgotten at once: a bounded memory)


class RulesError(ValueError):
    """The rules file is malformed."""


def rules_version(path: str | None = None) -> str | None:
    """The ``version`` of a rules file (the packaged one when None), read without compiling its patterns (a
    run records it); None when the file cannot be read or has no version."""
    try:
        version = tomllib.loads((Path(path) if path else DEFAULT_RULES).read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None
    return None if version is None else str(version)


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> Rules:
    """Load and compile a rules file.

    Args:
        path: a TOML rules file; the packaged ``boilerplate.toml`` when None.

    Returns:
        The compiled rules (cached per path).

    Raises:
        RulesError: on an unknown effect or a pattern that does not compile.
    """
    p = Path(path) if path else DEFAULT_RULES
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    lines = []
    try:
        for item in data.get("line", []):
            effect = item.get("effect", "remove")
            if effect not in EFFECTS:
                raise RulesError(f"{p}: rule {item['name']!r}: unknown effect {effect!r}")
            flags = 0 if item.get("case_sensitive") else re.IGNORECASE
            if item.get("match", "exact") == "exact":
                exact = frozenset(s.casefold() for s in item["patterns"])
                regexes: tuple[re.Pattern[str], ...] = ()
            else:
                exact = frozenset()
                regexes = tuple(re.compile(s, flags) for s in item["patterns"])
            requires = tuple(item.get("requires", ()))
            if requires and (not regexes or any(not r or r != r.casefold() for r in requires)):
                raise RulesError(f"{p}: rule {item['name']!r}: requires must list lower-case strings of a regex rule")
            lines.append(LineRule(item["name"], effect, exact, regexes, requires))
        prefixes = tuple(
            PrefixRule(item["name"], re.compile(item["pattern"], 0 if item.get("case_sensitive") else re.I))
            for item in data.get("prefix", [])
        )
        meta = data["meta"]
        return Rules(
            version=str(data["version"]),
            path=str(p),
            lines=tuple(lines),
            prefixes=prefixes,
            tag=re.compile(meta["tag"], re.IGNORECASE),
            byline=re.compile(meta["byline"]),
            author_role=re.compile(meta["author_role"], re.IGNORECASE),
            person_name=re.compile(meta["person_name"]),
            dateline=re.compile(meta["dateline"]),
            date_line=re.compile(meta["date_line"], re.IGNORECASE),
            # (optional: a rules file without it keeps every comments heading's thread, as before)
            comment_marker=re.compile(meta.get("comment_marker", ""), re.IGNORECASE),
        )
    except re.error as exc:
        raise RulesError(f"{p}: a pattern does not compile: {exc}") from exc
    except KeyError as exc:
        raise RulesError(f"{p}: missing key {exc}") from exc
