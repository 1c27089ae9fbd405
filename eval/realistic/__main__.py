"""Dev evaluation that looks like real input (issue 17, section 3): pages glued together, long story files,
Multi-News, and where the gold words land in a real warehouse.

Run from the repository root: ``python -m eval.realistic`` (about 4 minutes on 2 cores; writes
``eval/REALISTIC.md`` and ``eval/realistic.json``). ``--quick`` for small samples, ``--only concat,ledger``
for some sections (both print the report and write files only with ``--out DIR``), ``--extractor
mod:factory`` to score another extractor (see ``ExtractorFactory``). Corpora are read from ``../shared``
(``CORPUS_ETL_SHARED``); the inputs are built in memory and in a temporary directory, never committed.
The outputs hold numbers and document ids only. See ``eval/README.md``.

Sections:

1. ``single``: scrapinghub and dragnet pages one a file: body token F1, comments kept out, dragnet titles;
   ``renderings``: a sample of those pages saved as other scrapers save a page (``corpora.renderings``).
2. ``concat``: 1-4 real pages (scrapinghub + dragnet) of one site fold joined by a blank line; ``same_site``: 2-4
   real pages of one site (one outlet's header and footer over every page) joined by a blank line.
3. ``stories``: Reuters and BBC, 5-40 stories a file, one or two blank lines, with or without headlines,
   and BBC files of one category.
4. ``multinews``: ``dev.src`` as given and each line's articles joined by a blank line.
5. ``ledger``: the real ``corpus-etl ingest`` on a sample of the generated files; where the gold words land.

Site-disjointness: the extractor is obtained per fold (``ExtractorFactory(fold)``); every page belongs to the
fold of its site (``site_fold``), and a concatenation holds pages of one fold only, so a trained model can be
scored by a model trained without the file's sites. The product's rules ignore the fold.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from corpora.shared import shared_dir
from eval.common import strip_private
from eval.realistic.extractors import DEFAULT_EXTRACTOR
from eval.realistic.measure import SEED, baseline_of
from eval.realistic.report import _json_default, render
from eval.realistic.sections import SECTIONS, evaluate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.realistic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples (about 1 minute; a smoke test)")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections to run ({', '.join(SECTIONS)})"
    )
    parser.add_argument("--extractor", default=DEFAULT_EXTRACTOR, help="module:factory, see ExtractorFactory")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="a previous realistic.json: its targets' values as a column"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: eval/ for a full run of every section)"
    )
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        parser.error(f"unknown section(s) {', '.join(bad)}; choose from {', '.join(SECTIONS)}")
    full = not args.quick and set(only) == set(SECTIONS)
    out_dir = args.out or (Path(__file__).resolve().parents[1] if full else None)
    print(f"evaluating on {shared_dir()} ({'quick' if args.quick else 'full'}, seed {SEED}, {only})", file=sys.stderr)
    res = evaluate(args.quick, only, args.extractor, log=lambda s: print(s, file=sys.stderr))
    if args.baseline:
        res["baseline"] = baseline_of(json.loads(args.baseline.read_text(encoding="utf-8")))
    report = render(res)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "REALISTIC.md").write_text(report, encoding="utf-8")
        data = json.dumps(strip_private(res), indent=1, ensure_ascii=False, default=_json_default)
        (out_dir / "realistic.json").write_text(data + "\n", encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
