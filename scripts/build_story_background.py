"""Build the event stories' background document frequencies (``corpus_etl/models/story_background.json.gz``).

    .venv/bin/python -m scripts.build_story_background          # writes the file, prints its summary
    .venv/bin/python -m scripts.build_story_background --check  # rebuilds and compares, writes nothing

The background is the gold article text of the dev pages in ../shared (dragnet and scrapinghub: web news and
blog articles of many outlets and years), counted with the story linking's own terms (``events.event_terms``):
for each term, the number of those articles holding it. Only counts leave ../shared, never text. Multi-News,
on which the linking is measured, is not part of it. Deterministic: the same ../shared gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

from corpora.pages import dragnet_pages, scrapinghub_pages
from corpus_etl.analytics import events

SHARED = Path(os.environ.get("CORPUS_ETL_SHARED", Path(__file__).resolve().parents[2] / "shared"))
MIN_WORDS = 20  # a gold body shorter than this is no article (an empty or stub gold file)


def build(root: Path) -> bytes:
    """The background file's bytes: gzip (mtime 0) of JSON {"documents": N, "df": {term: count}}, terms sorted;
    a term held by one article only is left out (it says nothing about how common a word is)."""
    dragnet, _ = dragnet_pages(root)
    bodies = [p.gold for p in dragnet] + [p.gold for p in scrapinghub_pages(root)]
    tfs = [events.event_terms(None, b) for b in bodies if len(b.split()) >= MIN_WORDS]
    df = events.document_frequencies(tfs)
    doc = {"documents": len(tfs), "df": {t: n for t, n in sorted(df.items()) if n >= 2}}
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rebuild and compare with the shipped file")
    args = ap.parse_args(argv)
    data = build(SHARED)
    doc = json.loads(gzip.decompress(data))
    print(f"{doc['documents']} articles, {len(doc['df'])} terms, {len(data):,} bytes")
    if args.check:
        same = events.BACKGROUND_PATH.read_bytes() == data
        print("same as the shipped file" if same else "DIFFERS from the shipped file")
        return 0 if same else 1
    events.BACKGROUND_PATH.write_bytes(data)
    print(f"wrote {events.BACKGROUND_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
