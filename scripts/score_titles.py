"""Score only the dragnet titles of ``make eval`` (``python -m eval.realistic``, section ``single``) quickly.

    .venv/bin/python -m scripts.score_titles [--out per_page.json] [--bodies]

Each dragnet page with a gold headline is extracted one a file by the product's extractor with the line and
title models of its site fold (``eval.realistic:product_extractor``: trained without any page of its site) and
its main article's title matched as the evaluation does (``title_match``); ``--bodies`` also gives the body
token F1 of every single page (scrapinghub + dragnet, the evaluation's "single pages" number). One process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from corpora.pages import dragnet_pages, scrapinghub_pages
from corpora.shared import shared_dir
from eval.metrics import main_article, token_prf
from eval.realistic.extractors import product_extractor
from eval.realistic.measure import spread, title_match


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="write each page's chosen and gold title here (JSON)")
    ap.add_argument("--bodies", action="store_true", help="also the body F1 of every single page")
    args = ap.parse_args(argv)
    root = shared_dir()
    pages, _ = dragnet_pages(root)
    pages = scrapinghub_pages(root) + pages if args.bodies else [p for p in pages if p.title]
    extractors = {}
    rows = []
    t0 = time.perf_counter()
    for p in pages:
        ext = extractors.get(p.fold) or extractors.setdefault(p.fold, product_extractor(p.fold))
        recs = ext(p.text, "text")
        main_rec = main_article(
            [{**r, "n_words": r.get("n_words") or len((r.get("body") or "").split())} for r in recs]
        )
        row = {"id": p.id, "site": p.site, "fold": p.fold}
        row["f1"] = token_prf(main_rec["body"] or "" if main_rec else "", p.gold)[2]
        if p.title:
            pred = main_rec["title"] if main_rec else None
            row["exact"], row["lenient"] = title_match(pred, p.title)
            row["pred"], row["gold"] = pred, p.title
        rows.append(row)
    secs = time.perf_counter() - t0
    tit = [r for r in rows if "exact" in r]
    ex, le = spread([float(r["exact"]) for r in tit]), spread([float(r["lenient"]) for r in tit])
    print(
        f"dragnet titles ({len(tit)} pages): exact {ex['value']:.3f} (95 % {ex['ci95'][0]:.3f}-{ex['ci95'][1]:.3f}), "
        f"lenient {le['value']:.3f}; {secs:.0f} s"
    )
    if args.bodies:
        f1 = spread([r["f1"] for r in rows])
        dr = [r["f1"] for r in rows if r["id"].startswith("dragnet/")]
        print(
            f"single pages body F1 ({len(rows)}): {f1['value']:.4f} ({f1['ci95'][0]:.3f}-{f1['ci95'][1]:.3f}); "
            f"dragnet {sum(dr) / len(dr):.4f}"
        )
    if args.out:
        args.out.write_text(json.dumps(rows, indent=0, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
