"""The event stories' rare-term ceiling (``corpus_etl.analytics.events.RARE_MAX``) in a larger warehouse.

``python -m eval.story_ceiling [--reuters N] [--ceilings 100000,40,30,20,15,10]``: the worlds of
``eval.stories`` (Multi-News clusters, the tune half, the test half and all 100, with 2,000 BBC articles and the
seeds) plus ``N`` Reuters articles of ../shared as further distractors (all 16,816 of 40 words or more by
default: about 19,000 articles, where the share alone lets a term in 56 of them propose), placed once per ceiling.
Prints pairwise precision / recall / F1 over the Multi-News articles, the strict precision
(``eval.stories.strict_prf``), the largest distractor story and the seeds' stories. Not part of ``make eval``
(about 6 minutes); the numbers and the choice are in ``corpus_etl/analytics/events.py`` ("Ceiling").
"""

from __future__ import annotations

import argparse
import random
import time

import eval.stories as es
from corpora.reuters import reuters_articles
from corpora.shared import shared_dir
from corpus_etl.analytics import events


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reuters", type=int, default=0, help="Reuters articles added (0: all)")
    ap.add_argument("--ceilings", default="100000,40,30,20,15,10", help="comma-separated RARE_MAX values")
    args = ap.parse_args(argv)
    root = shared_dir()
    mn, bbc, seeds = es.load_multinews(root), es.load_bbc(root), es.load_seeds(root)
    found, _ = reuters_articles(root, random.Random(es.SEED), False)
    if args.reuters:
        found = random.Random(es.SEED).sample(found, min(args.reuters, len(found)))
    reuters = [{"title": t, "body": b, "source_path": f"reuters/{i}"} for i, _, t, b in found]
    clusters = sorted({int(r["cluster"]) for r in mn})
    halves = {"tune": {g for g in clusters if g % 2 == 0}, "test": {g for g in clusters if g % 2 == 1}, "all": None}
    shipped = events.RARE_MAX
    try:
        for name, keep in halves.items():
            world = es._world(mn, bbc + reuters, seeds, keep)
            n = len(world["docs"])
            print(f"{name}: {n} articles, share cap {max(events.RARE_DF, int(events.RARE_SHARE * n))}", flush=True)
            for ceiling in (int(c) for c in args.ceilings.split(",")):
                events.RARE_MAX = ceiling
                t0 = time.perf_counter()
                got = es.score(world, events.THRESHOLD)
                a, strict = got["all"], got["strict"]
                took = time.perf_counter() - t0
                print(
                    f"  ceiling {ceiling:>6} (cap {events.rare_cap(n)}): P / R / F1 {a['precision']:.3f} / "
                    f"{a['recall']:.3f} / {a['f1']:.3f}, strict P {strict['precision']:.3f}, largest distractor "
                    f"story {got['bbc_largest']}, seed stories {got['seed_stories']} ({took:.0f} s)",
                    flush=True,
                )
    finally:
        events.RARE_MAX = shipped


if __name__ == "__main__":
    main()
