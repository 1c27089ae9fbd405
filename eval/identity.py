"""Measure source identity (``corpus_etl/identity.py``) and ``may_hold_two_pages`` (``corpus_etl/glued.py``) on dragnet.

Run from the repository root: ``python -m eval.identity`` (about 1.5 min; prints the report, ``--out DIR`` also
writes ``IDENTITY.md`` there). Reads ``../shared/corpora/dragnet`` (``CORPUS_ETL_SHARED``); reports numbers and
page ids only.

1. Identity: 400 pages (seeded sample), each through ``extract_records``; its first article's ``site`` and
   ``outlet``: how many get one, from where, and whether the site is the host of the page's og:url / canonical
   link as ``sites.json`` gives it (or a parent or child domain of it).
2. Two pages: pages one a file (articles flagged: false flags) and pairs of pages glued by a blank line; a record
   "holds two pages" when 40+ of its body words lie on each side of the join; precision and recall of the flag
   over three seeded samples (150, 150, 200 pairs).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from corpora.shared import page_files, read_text, shared_dir
from corpus_etl.formats import split_document
from corpus_etl.glued import two_page_cues
from corpus_etl.pipeline import extract_records
from corpus_etl.rules import load_rules
from corpus_etl.settings import Settings


def _same_site(found: str, gold: str) -> bool:
    gold = gold.removeprefix("www.")
    return found == gold or gold.endswith("." + found) or found.endswith("." + gold)


def identity(pages: list[Path], sites: dict[str, str], spot: int = 0) -> list[str]:
    n = with_site = with_outlet = checked = agree = 0
    outlet_src: Counter[str] = Counter()
    site_src: Counter[str] = Counter()
    all_src: Counter[str] = Counter()
    later: list[tuple[str, int, object, object, object]] = []
    for p in pages:
        rows = [r for r in extract_records(read_text(p), source_path=str(p))]
        arts = [r for r in rows if r["kind"] == "article"]
        if not arts:
            continue
        all_src.update(str(r["outlet_source"]) for r in arts)
        later += [(p.stem, k, r["outlet"], r["outlet_source"], r["title"]) for k, r in enumerate(arts) if k]
        r = arts[0]
        n += 1
        outlet_src[str(r["outlet_source"])] += 1
        with_outlet += r["outlet"] is not None
        if r["site"]:
            with_site += 1
            site_src[str(r["site_source"])] += 1
            if p.stem in sites:
                checked += 1
                agree += _same_site(str(r["site"]), sites[p.stem])
    if spot:  # for a reader's spot check (prints page text: not for the report)
        for row in random.Random(5).sample(later, min(spot, len(later))):
            print("spot:", *row)
    n_all, n_named = all_src.total(), all_src.total() - all_src["none"]
    return [
        f"pages with an article: {n}",
        f"outlet named: {with_outlet} ({with_outlet / n:.2f}); by source: {dict(outlet_src.most_common())}",
        f"all article records: {n_all}, outlet named on {n_named} ({n_named / max(n_all, 1):.2f}); later records "
        f"(not a page's first): {len(later)}, named {sum(r[3] != 'none' for r in later)}; by source: "
        f"{dict(all_src.most_common())}",
        f"site stated: {with_site} ({with_site / n:.2f}); by source: {dict(site_src.most_common())}",
        f"site = sites.json host (or parent/child domain): {agree} of {checked}",
    ]


def two_pages(files: list[Path], samples: list[tuple[int, int]]) -> list[str]:
    rules, opts = load_rules(Settings().extraction.rules_path), Settings().split_options()

    def records(text: str) -> list[tuple[list[tuple[int, int, int]], bool]]:
        sp = split_document(text, "text", rules, opts, "text", frozenset())
        out = []
        for raw in sp.records:
            if raw.kind == "article":
                paras = [(a, b, len(t.split())) for t, (a, b) in zip(raw.paragraphs, raw.paragraph_spans, strict=True)]
                span = (raw.char_start, raw.char_end)
                out.append(
                    (paras, bool(two_page_cues(sp.lines or [], span, paras, rules, page_gaps=sp.page_gap_probs)))
                )
        return out

    lines = []
    tot = Counter[str]()
    for seed, n in samples:
        rnd = random.Random(seed)
        read = {p: read_text(p) for p in files}
        single = [flag for p in rnd.sample(files, n) for _, flag in records(read[p])]
        c = Counter[str](single_n=len(single), single_flagged=sum(single))
        for _ in range(n):
            a, b = rnd.sample(files, 2)
            first = read[a].rstrip("\n")
            cut = len(first) + 2
            for paras, flag in records(first + "\n\n" + read[b]):
                two = min(sum(w for _, e, w in paras if e <= cut), sum(w for s, _, w in paras if s >= cut)) >= 40
                c["tp"] += two and flag
                c["fp"] += flag and not two
                c["fn"] += two and not flag
        tot.update(c)
        lines.append(f"seed {seed}, {n} pairs: {_prf(c)}")
    lines.append(f"all: {_prf(tot)}")
    return lines


def glued_identity(files: list[Path], seed: int, n: int) -> list[str]:
    """Outlets of the records of two pages glued by a blank line: how many are named, and how many carry the
    outlet of the other page (named on that page alone, not on their own)."""
    rnd = random.Random(seed)

    def outlets(text: str) -> list[tuple[int, str | None]]:
        rows = extract_records(text)
        return [(int(str(r["char_start"])), r["outlet"]) for r in rows if r["kind"] == "article"]  # type: ignore[misc]

    c = Counter[str]()
    for _ in range(n):
        a, b = rnd.sample(files, 2)
        ta, tb = (read_text(x).rstrip("\n") for x in (a, b))
        own = [{o for _, o in outlets(t) if o} for t in (ta, tb)]
        cut = len(ta) + 2
        for start, o in outlets(ta + "\n\n" + tb):
            side = int(start >= cut)
            c["records"] += 1
            c["named"] += o is not None
            c["wrong_page"] += o is not None and o not in own[side] and o in own[1 - side]
    return [
        f"seed {seed}, {n} pairs: article records {c['records']}, outlet named {c['named']}, of which the other "
        f"page's outlet {c['wrong_page']}"
    ]


def _prf(c: Counter[str]) -> str:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return (
        f"two-page records {tp + fn}, flagged {tp} (precision {tp / max(tp + fp, 1):.2f}, recall "
        f"{tp / max(tp + fn, 1):.2f}); single-page articles flagged {c['single_flagged']} of {c['single_n']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="also write IDENTITY.md to this directory")
    ap.add_argument("--spot", type=int, default=0, help="print this many later records' outlets to check by eye")
    args = ap.parse_args()
    d = shared_dir() / "corpora" / "dragnet"
    files = page_files(shared_dir(), "dragnet")
    sites = json.loads((d / "sites.json").read_text(encoding="utf-8"))
    report = ["# Source identity and two-page records on dragnet", "", "## Identity (400 pages, seed 11)", ""]
    report += [f"- {x}" for x in identity(random.Random(11).sample(files, 400), sites, args.spot)]
    report += ["", "## Outlets of glued pages (two pages a file)", ""]
    report += [f"- {x}" for x in glued_identity(files, 13, 150)]
    report += ["", "## may_hold_two_pages (glued pairs)", ""]
    report += [f"- {x}" for x in two_pages(files, [(3, 150), (99, 150), (7, 200)])]
    text = "\n".join(report) + "\n"
    print(text)
    if args.out:
        (args.out / "IDENTITY.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
