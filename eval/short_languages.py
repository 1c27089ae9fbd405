"""How often langdetect names another language than English for Reuters story bodies, by the letters in the
detection sample and by whether the text is mostly figures (``corpus_etl.langid.FILE_PRIOR_MAX_LETTERS``).

``python -m eval.short_languages`` detects every Reuters story body of ../shared (briefs included) with the
product's engine and prints JSON: per bucket (letters in the sample under 100, 200, 400 or more; "figures" when
letters are under 60 % of the non-space characters) the texts and the share detected as another language.
Not part of ``make eval`` (it motivates a threshold; it sets no target)."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict

from corpora.reuters import reuters_articles
from corpora.shared import shared_dir
from corpus_etl.langid import detect_languages, sample_text


def _bucket(body: str) -> str:
    sample = sample_text(body, 1000)
    chars = [c for c in sample if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    size = next(f"<{b}" for b in (100, 200, 400, 10**9) if letters < b).replace("<1000000000", ">=400")
    return f"letters {size}, {'figures' if letters < 0.6 * max(1, len(chars)) else 'text'}"


def main() -> int:
    stories, _ = reuters_articles(shared_dir(), random.Random(0), False, min_words=1)
    bodies = [body for _, _, _, body in stories]
    counts: dict[str, Counter[bool]] = defaultdict(Counter)
    for body, result in zip(bodies, detect_languages(bodies), strict=True):
        counts[_bucket(body)][result.language != "en"] += 1
    out = {
        k: {"texts": sum(c.values()), "not_english": round(c[True] / sum(c.values()), 3)}
        for k, c in sorted(counts.items())
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
