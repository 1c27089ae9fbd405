"""How often a paragraph in another language gets its own language (``paragraphs.language``).

``python -m eval.mixed_languages`` builds, for every language langdetect supports (but English) that has
at least 12 texts of 300+ characters in ``lingua_sentences`` (after ``eval.run.corpus.script_filter``):

- three English articles (``corpora.bbc.bbc_articles`` bodies of 5+ paragraphs) with one paragraph of that
  language inserted at a random position (often past the detection sample);
- three articles of four paragraphs of that language with one English paragraph inserted.

It runs ``corpus_etl.pipeline.build_articles`` on each and counts the inserted paragraphs whose
``language`` is right, and the pure BBC bodies that get paragraph languages (a false mix). Seeded
(``random.Random(5)``); prints JSON. Not part of ``make eval`` (the issue sets no target for it).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime

from corpora.bbc import bbc_articles
from corpora.shared import shared_dir
from corpus_etl.langid import supported_languages
from corpus_etl.pipeline import build_articles
from corpus_etl.settings import Settings
from corpus_etl.split import RawRecord
from eval.run.corpus import language_texts, script_filter


def _record(paragraphs: list[str]) -> RawRecord:
    spans, at = [], 0
    for p in paragraphs:
        spans.append((at, at + len(p)))
        at += len(p) + 2
    return RawRecord(kind="article", title="A headline", paragraphs=list(paragraphs), paragraph_spans=spans)


def main() -> int:
    root = shared_dir()
    settings, at, rng = Settings(), datetime.now(UTC), random.Random(5)
    articles, _ = bbc_articles(root)
    rng.shuffle(articles)
    bodies = [[p.strip() for p in body.split("\n\n") if p.strip()] for *_, body in articles[:1500]]
    bodies = [b for b in bodies if len(b) >= 5]
    supported = set(supported_languages())
    cases = right = 0
    missed: list[tuple[str, str, str | None]] = []
    for f in sorted((root / "corpora" / "lingua_sentences" / "sentences").glob("*.txt")):
        iso = f.stem
        if iso not in supported or iso == "en":
            continue
        kept, _ = script_filter(iso, f.read_text(encoding="utf-8").splitlines())
        texts = language_texts(kept, 300, 40)
        if len(texts) < 12:
            continue
        for i in range(3):
            english = list(bodies[rng.randrange(len(bodies))])
            pos = rng.randrange(1, len(english) + 1)
            english.insert(pos, texts[i])
            other = texts[3 + 4 * i : 7 + 4 * i]
            quote = next(p for p in bodies[rng.randrange(len(bodies))] if len(p) >= 150)
            opos = rng.randrange(1, 5)
            other.insert(opos, quote)
            for paragraphs, where, want in ((english, pos, iso), (other, opos, "en")):
                (row,) = build_articles([_record(paragraphs)], "s", "p", settings, "r", at)
                got = row.paragraphs[where]["language"]
                cases += 1
                right += got == want
                if got != want:
                    missed.append((iso, want, got))
    pure = build_articles([_record(b) for b in bodies], "s", "p", settings, "r", at)
    false_mix = sum(any(p["language"] is not None for p in e.paragraphs) for e in pure)
    out = {
        "inserted_paragraphs": cases,
        "given_the_right_language": right,
        "missed": missed,
        "pure_english_records": len(pure),
        "pure_english_records_with_paragraph_languages": false_mix,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
