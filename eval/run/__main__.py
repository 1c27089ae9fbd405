"""Measure the splitter, the boilerplate rules and language detection on real corpora with ground truth.

Run from the repository root: ``python -m eval.run`` (``--quick`` for small samples, ``--out DIR`` for
where ``RESULTS.md`` and ``results.json`` go). The corpora are read from ``../shared`` (override with
``CORPUS_ETL_SHARED``) and never copied: the outputs hold numbers and document ids only.

Sections: scrapinghub body extraction, BBC and Reuters concatenations (boundaries, recovered articles,
titles), language accuracy (lingua sentences), the seed files, and the targets. See ``eval/README.md``.
The metric functions at the top are pure and unit-tested (``tests/unit/test_eval_metrics.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from corpora.shared import shared_dir
from eval.common import strip_private
from eval.metrics import SEED
from eval.run.report import render
from eval.run.sections import evaluate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples (40 synthetic files, 10 texts/language)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1], help="output directory")
    args = parser.parse_args(argv)
    print(f"evaluating on {shared_dir()} ({'quick' if args.quick else 'full'}, seed {SEED})", file=sys.stderr)
    res = evaluate(args.quick, log=lambda s: print(s, file=sys.stderr))
    report = render(res)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "RESULTS.md").write_text(report, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(strip_private(res), indent=2, ensure_ascii=False) + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
