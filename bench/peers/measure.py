"""What the peers' section computes, as pure functions: the spread of the repeats, the product's ratios to each
peer and issue 21's targets."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from bench.run.common import WORKERS

LABELS = {
    "product": "corpus-etl ingest",
    "floor": "split + language floor (product's splitter and engine, warm workers)",
    "naive": "naive pandas + langdetect, own split, 1 process",
    "naive_2p": f"naive pandas + langdetect, own split, {WORKERS} processes",
    "datatrove_langdetect": "datatrove, langdetect step",
    "datatrove_fast": "datatrove, the product's numpy engine as its step",
    "datatrove_nolang": "datatrove, no language step",
}
# product MB/s over the peer's MB/s, wanted (issue 21)
PEER_TARGETS = {"floor": 0.70, "datatrove_fast": 0.70, "datatrove_langdetect": 3.0, "naive": 3.0}


# ==================================================================================================
# The summary of the repeats: spread, ratios, targets


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 4),
        "median": round(statistics.median(values), 4),
        "max": round(max(values), 4),
    }


def peer_ratios(summary: dict[str, Any]) -> dict[str, float]:
    """The product's median MB/s over each peer's median MB/s."""
    if "product" not in summary:
        return {}
    p = summary["product"]["mb_per_s"]["median"]
    return {name: round(p / s["mb_per_s"]["median"], 3) for name, s in summary.items() if name != "product"}


def peer_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 21's targets on the peers (rows for ``bench.run.measure.targets``)."""
    peers = results.get("peers")
    if not peers or "product" not in peers["summary"]:
        return []
    size = f"peers {peers['size_mb']:g} MB"
    out = []
    for name, want in PEER_TARGETS.items():
        if name in peers["ratios"]:
            v = peers["ratios"][name]
            out.append(
                {"name": f"{size}: product MB/s / {LABELS[name]} (medians)", "value": v, "target": f">= {want:g}",
                 "met": v >= want}
            )  # fmt: skip
    p = peers["summary"]["product"]
    gold, files = peers["gold_stories"], peers["corpus"]["n_files"]
    out.append(
        {"name": f"{size}: every story found (product records / gold stories; files with the gold count)",
         "value": f"{p['documents']:,} / {gold:,}; {p['files_exact']:,} / {files:,}",
         "target": "all", "met": p["documents"] == gold and p["files_exact"] == files}
    )  # fmt: skip
    return out
