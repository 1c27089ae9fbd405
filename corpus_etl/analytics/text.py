"""Words as the analytics see them: NFKC, casefolded runs of letters and digits."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of a text: NFKC-normalised, casefolded runs of letters, digits and underscores.

    Punctuation, quotes and spacing never change the words, so "U.S." and "U. S." give the same two words.
    """
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
