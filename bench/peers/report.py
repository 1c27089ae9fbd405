"""The peers' part of ``bench/RESULTS.md``."""

from __future__ import annotations

from typing import Any

from corpora.generated import (
    MB,
)


def render_peers(results: dict[str, Any]) -> list[str]:
    """The *Peers in the same run* section of RESULTS.md."""
    from bench.run.report import _mib, _table

    peers = results.get("peers")
    lines = ["", "## Peers in the same run", ""]
    if not peers:
        return [*lines, "Not measured in this run."]
    c = peers["corpus"]
    lines += [
        f"One corpus of {c['total_bytes'] / MB:.1f} MB: {c['n_files']:,} files of {c['n_articles']:,} Reuters + BBC "
        f"stories ({c['n_distinct_article_texts']:,} distinct texts), 5-40 a file joined by two blank lines; every "
        f"peer run {peers['repeats']} time(s), the repeats interleaved. MB/s and articles/s: min / median / max; "
        "*ratio* = the product's median MB/s over the peer's. Every peer but the product splits on the known join. "
        "See bench/peers/.",
        "",
    ]
    if peers.get("date"):
        code = peers.get("code") or {}
        lines[-1:] = [
            "",
            f"Measured {peers['date']} (`python -m bench.run {' '.join(peers.get('argv') or [])}`), commit "
            f"{code.get('git_commit')}"
            + (" plus uncommitted changes" if code.get("uncommitted_changes") else "")
            + (" (**the product's code changed during the run**)" if peers.get("changed_during_run") else "")
            + ". The machine is shared: *other CPU* is the cores that other processes kept busy meanwhile.",
            "",
        ]

    def mmm(d: dict[str, float], nd: int = 2) -> str:
        return " / ".join(f"{d[k]:,.{nd}f}" for k in ("min", "median", "max"))

    rows = []
    for name, s in peers["summary"].items():
        rows.append(
            [
                s["label"],
                mmm(s["mb_per_s"]),
                mmm(s["articles_per_s"], 0),
                s["wall_s"]["median"],
                s["cpu_s"]["median"],
                s["other_cpu_cores"]["median"],
                _mib(s.get("peak_rss_tree_bytes")),
                f"{s['documents']:,} / {peers['gold_stories']:,}",
                f"{s['files_exact']:,} / {c['n_files']:,}",
                "—" if name == "product" else peers["ratios"].get(name),
            ]
        )
    lines.append(
        _table(
            [
                "peer",
                "MB/s",
                "articles/s",
                "median wall s",
                "median CPU s",
                "other CPU (median)",
                "peak RSS tree MiB",
                "documents / gold stories",
                "files with the gold count",
                "ratio",
            ],
            rows,
        )
    )
    return lines
