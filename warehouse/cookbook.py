"""The analysts' SQL cookbook: ``warehouse/queries/*.sql``, one query per file, with a comment header.

Header lines (before the SQL) that the cookbook reads::

    -- title: Articles per outlet
    -- Any other comment line: the description.
    -- param: min_articles = 1

Each ``param`` line names one ``?`` of the query, in order, with its default value (a number when it
parses as one, else text). ``corpus-etl cookbook`` lists the queries and runs one by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUERIES_DIR = Path(__file__).with_name("queries")
_PARAM = re.compile(r"^--\s*param:\s*(\w+)\s*=\s*(.*?)\s*$")
_TITLE = re.compile(r"^--\s*title:\s*(.+?)\s*$")


@dataclass(frozen=True)
class Query:
    """A cookbook query: its name (the file's stem), title, description, parameters and SQL text."""

    name: str
    title: str
    description: str
    params: tuple[tuple[str, Any], ...]
    sql: str

    def bind(self, overrides: dict[str, str] | None = None) -> list[Any]:
        """The values for the query's ``?`` in order: the defaults, with ``overrides`` (name -> text) applied."""
        overrides = overrides or {}
        unknown = set(overrides) - {n for n, _ in self.params}
        if unknown:
            raise KeyError(f"{self.name} has no parameter {', '.join(sorted(unknown))}")
        return [_value(overrides[n]) if n in overrides else v for n, v in self.params]


def _value(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse(name: str, text: str) -> Query:
    """Parse a cookbook file's text (header comments, then one statement)."""
    title, desc, params = name, [], []
    for line in text.splitlines():
        if not line.startswith("--"):
            if line.strip():
                break
            continue
        if m := _TITLE.match(line):
            title = m.group(1)
        elif m := _PARAM.match(line):
            params.append((m.group(1), _value(m.group(2))))
        else:
            desc.append(line[2:].strip())
    return Query(name, title, " ".join(d for d in desc if d), tuple(params), text.strip().rstrip(";"))


def load(directory: Path = QUERIES_DIR) -> list[Query]:
    """Every query of the cookbook, by name."""
    return [parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.sql"))]


def get(name: str, directory: Path = QUERIES_DIR) -> Query:
    """One query by name (the file's stem)."""
    path = directory / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no cookbook query {name!r} (see `corpus-etl cookbook`)")
    return parse(name, path.read_text(encoding="utf-8"))
