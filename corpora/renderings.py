"""The same page text as other scrapers save it: ``render(text, how)``.

The dev pages in ../shared were rendered from HTML by one renderer (inscriptis: a block element's text on its own
line, a blank line between blocks, list items on consecutive lines). Scrapers that keep only text save the same page
other ways; the extractor's models were trained on the one rendering, so ``eval.realistic`` scores the same pages
saved these ways too (``RENDERINGS``), each a pure function of the rendered text:

- ``no_blank_lines``: every blank line removed (BeautifulSoup's ``get_text("\\n", strip=True)``: a line per
  element, no blank line anywhere);
- ``wrapped_76``: every line hard-wrapped at 76 columns (a text browser's dump, an e-mail);
- ``blocks_on_one_line``: each blank-line block joined into one line (a renderer that ignores ``<br>`` and list
  items: menus, bylines and lists become long lines);
- ``blank_between_lines``: a blank line between every two lines (a renderer that separates every element).
"""

from __future__ import annotations

import re
import textwrap

RENDERINGS = ("no_blank_lines", "wrapped_76", "blocks_on_one_line", "blank_between_lines")

_BLANK_RUN = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_NEWLINES = re.compile(r"\n+")


def render(text: str, how: str) -> str:
    """``text`` (a page as inscriptis renders it) saved the way ``how`` (one of ``RENDERINGS``) says."""
    if how == "no_blank_lines":
        return _BLANK_RUN.sub("\n", text)
    if how == "wrapped_76":
        return "\n".join(w for line in text.split("\n") for w in (textwrap.wrap(line, 76) or [""]))
    if how == "blocks_on_one_line":
        return "\n\n".join(" ".join(block.split("\n")) for block in _BLANK_RUN.split(text))
    if how == "blank_between_lines":
        return _NEWLINES.sub("\n\n", text)
    raise ValueError(f"unknown rendering {how!r}; choose from {', '.join(RENDERINGS)}")
