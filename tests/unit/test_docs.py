"""The README is a short front door and the docs/ pages it links hold the rest: every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO
from warehouse.docs import END, START, contract_markdown, update_contract

README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_MAX_LINES = 200

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def links(text: str) -> list[str]:
    """Targets of the inline markdown links of a page, outside code blocks and code spans."""
    return _LINK.findall(_CODE.sub("", _FENCE.sub("", text)))


def anchors(text: str) -> set[str]:
    """GitHub's heading ids of a page: lower case, punctuation dropped, spaces to hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", text)):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").replace("*", "").lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken_links(page: Path) -> list[str]:
    bad = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text(encoding="utf-8")):
            bad.append(f"{target}: no heading #{anchor} in {dest.name}")
    return bad


def test_link_helpers_find_links_and_headings_as_github_does():
    text = "# A `b` (c)\n\n## A `b` (c)\n\n```\n[x](in-a-fence.md)\n```\n"
    text += "`[y](in-code.md)` [z](z.md#a-b-c-1) ![i](i.png)\n"
    assert links(text) == ["z.md#a-b-c-1", "i.png"]
    assert anchors(text) == {"a-b-c", "a-b-c-1"}


def test_every_relative_link_in_the_readme_and_docs_resolves():
    assert len(DOCS) >= 9
    bad = {str(p.relative_to(REPO)): b for p in PAGES if (b := broken_links(p))}
    assert not bad


def test_a_broken_link_is_reported(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [gone](missing.md) [anchor](#nowhere) [web](https://x.org/a.md)\n")
    assert broken_links(page) == ["missing.md: no such file", "#nowhere: no heading #nowhere in page.md"]


def test_readme_stays_a_short_front_door_linking_every_docs_page():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < README_MAX_LINES
    linked = {(REPO / t.partition("#")[0]).resolve() for t in links(text) if t.startswith("docs/")}
    assert {p.resolve() for p in DOCS} <= linked
    assert START not in text  # the generated contract lives in docs/contract.md


def test_contract_write_replaces_only_the_generated_section(tmp_path):
    page = tmp_path / "contract.md"
    page.write_text(f"# Output contract\n\nintro\n\n{START}\nstale\n{END}\n\nafter\n", encoding="utf-8")
    assert update_contract(page) is True
    text = page.read_text(encoding="utf-8")
    assert text == f"# Output contract\n\nintro\n\n{START}\n{contract_markdown()}{END}\n\nafter\n"
    assert update_contract(page) is False
