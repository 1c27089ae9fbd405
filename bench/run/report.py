"""The benchmark's report: ``RESULTS.md`` rendered from ``RESULTS.json``, and both written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.run.common import MIB, WORKERS
from bench.run.measure import ratios, targets


def _mib(b: float | None) -> str:
    return "—" if b is None else f"{b / MIB:,.0f}"


def _f(x: Any, nd: int = 2) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _story_ledger(sizes: dict[str, Any], keys: list[str]) -> list[str]:
    """The section of the stories found, by file style (``bench.run.ledger``)."""
    lines = [
        "",
        "## Stories found, by file style (the first run's warehouse against the generated gold)",
        "",
        "Gold words: the words of the stories' bodies; each is counted in the first place holding it, per file "
        "(`articles` rows of kind 'article', 'related' rows, `quarantine`), else as removed.",
        "",
    ]
    rows = []
    for k in keys:
        led = sizes[k].get("story_ledger") or {}
        if "error" in led:
            lines.append(f"- {k} MB: no ledger ({led['error']})")
        for style, s in led.get("by_style", {}).items():
            w = s["words_in"]
            rows.append(
                [
                    f"{k} MB",
                    style,
                    s["files"],
                    s["gold_stories"],
                    s["article_records"],
                    s["quarantined_records"],
                    s["gold_words"],
                    *(f"{w[place]:.4f}" for place in ("article", "related", "quarantine", "removed")),
                ]
            )
    headers = [
        "corpus",
        "style",
        "files",
        "gold stories",
        "article records",
        "quarantined records",
        "gold words",
        "in articles",
        "in related",
        "in quarantine",
        "removed",
    ]
    return [*lines, _table(headers, rows)] if rows else lines


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    code = results["code"]
    sizes = results["sizes"]
    keys = sorted(sizes, key=float)
    v = m["versions"]
    lines = [
        "# corpus-etl benchmark",
        "",
        f"`{' '.join(['python -m bench.run', *results['argv']])}` — {results['date']}"
        + (" — **partial (still running or interrupted)**" if results.get("partial") else ""),
        "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['memory_bytes'] / (1 << 30):.1f} GiB, "
        f"Python {m['python']}; "
        f"duckdb {v['duckdb']}, pyarrow {v['pyarrow']}, prefect {v['prefect']}, langdetect {v['langdetect']}, "
        f"great-expectations {v['great-expectations']}, pandas {v['pandas']}. "
        f"Code: commit {code['start']['git_commit']}"
        + (" plus uncommitted changes" if code["start"]["uncommitted_changes"] else "")
        + f", product files sha256 {code['start']['product_sha256']}"
        + (" (**the code changed during the run**)" if code.get("changed_during_run") else "")
        + ".",
        "",
        "Timings are wall-clock on a machine shared with other work: see *other CPU* (cores busy with other "
        "processes during the run) and the load averages in RESULTS.json. See bench/README.md for definitions.",
        "",
        "## Product (`corpus-etl ingest`, fresh warehouse)",
        "",
    ]
    rows = []
    for k in keys:
        s = sizes[k]
        c, f, r, p = s["corpus"], s["first_run"], s["rerun"], s["product"]
        rows.append(
            [
                f"{k} MB",
                c["n_files"],
                p["records"],
                f"{c['n_distinct_article_texts']:,} / {c['n_articles']:,}",
                f["wall_s"],
                p["mb_per_s"],
                p["articles_per_s"],
                p["s_per_mb"],
                _mib(f["peak_rss_tree_bytes"]),
                _mib(f["largest_process_max_rss_bytes"]),
                f["cpu_s"],
                f["cpu_cores_used"],
                f["other_cpu_cores"],
                r["wall_s"],
                s.get("rerun_flow", {}).get("wall_s"),
            ]
        )
    lines.append(
        _table(
            [
                "corpus",
                "files",
                "records",
                "distinct / generated article texts",
                "first run s",
                "MB/s",
                "records/s",
                "s/MB",
                "peak RSS tree MiB",
                "largest process MiB",
                "CPU s",
                "CPU cores used",
                "other CPU",
                "rerun s",
                "rerun through the flow s",
            ],
            rows,
        )
    )
    lines += _story_ledger(sizes, keys)
    lines += ["", "## Where the time goes (Prefect task runs of the first run, from the Prefect API database)", ""]
    rows = []
    for k in keys:
        st = sizes[k]["first_run"].get("stages") or {}
        t = st.get("tasks", {})

        def ts(name: str, key: str = "sum_s", t: dict[str, Any] = t) -> Any:
            return t.get(name, {}).get(key)

        rows.append(
            [
                f"{k} MB",
                st.get("startup_s"),
                ts("process-batch", "n"),
                st.get("processing_span_s"),
                ts("validate-batch"),
                ts("load-batch"),
                ts("export-parquet"),
                st.get("after_last_batch_s"),
                st.get("shutdown_s"),
                sizes[k]["first_run"]["wall_s"],
            ]
        )
    lines.append(
        _table(
            [
                "corpus",
                "start-up s (imports, Prefect API)",
                "batches",
                "processing span s",
                "validate s (sum)",
                "load s (sum)",
                "Parquet export s",
                "after last batch s",
                "shutdown s",
                "wall s",
            ],
            rows,
        )
    )
    lines += [
        "",
        "*processing span*: first batch start to last batch end (workers split, normalise, detect languages and "
        "write staging Parquet; validation and loading of earlier batches overlap it). *after last batch*: the "
        "last batch's validation and load, the Parquet export and the run's end.",
        "",
        "Every task of the first run (seconds; start and end relative to the flow's start):",
        "",
    ]
    rows = []
    for k in keys:
        st = sizes[k]["first_run"].get("stages") or {}
        for name, t in (st.get("tasks") or {}).items():
            rows.append([f"{k} MB", name, t["n"], t["sum_s"], t["max_s"], t["first_start_s"], t["last_end_s"]])
    lines.append(_table(["corpus", "task", "runs", "sum s", "max s", "first start s", "last end s"], rows))
    rows = []
    names: list[str] = []
    for k in keys:
        for which in ("first_run", "rerun"):
            stages = (sizes[k][which].get("run") or {}).get("stage_seconds")
            if isinstance(stages, dict):
                names += [n for n in stages if n not in names]
                rows.append((f"{k} MB", which.replace("_", " "), stages, sizes[k][which].get("run", {}).get("seconds")))
    if rows:
        lines += [
            "",
            "Stages recorded by the flow itself (`runs.stage_seconds`; *process* sums the workers' batch "
            "seconds, *wait* is the flow waiting for batches):",
            "",
        ]
        lines.append(
            _table(
                ["corpus", "run", *names, "runs.seconds"],
                [[c, w, *(st.get(n) for n in names), secs] for c, w, st, secs in rows],
            )
        )
    lines += ["", "## Floors on the same files", ""]
    rows = []
    for k in keys:
        fl = sizes[k].get("floors")
        if not fl:
            continue
        rows.append(
            [
                f"{k} MB",
                fl["split_1p"]["seconds"],
                fl[f"split_{WORKERS}p"]["seconds"],
                fl["lang_1p"]["seconds"],
                fl[f"lang_{WORKERS}p"]["seconds"],
                fl[f"lang_{WORKERS}p"]["mb_per_s"],
                (fl.get(f"lang_{WORKERS}p_langdetect") or {}).get("seconds"),
                " / ".join(
                    _f(fl[x].get("other_cpu_cores"))
                    for x in ("split_1p", f"split_{WORKERS}p", "lang_1p", f"lang_{WORKERS}p")
                ),
                fl["lang_1p"]["texts"],
                sizes[k]["floor_inputs"]["bodies_match_warehouse"],
                fl["languages_match_warehouse"],
            ]
        )
    if rows:
        lines.append(
            _table(
                [
                    "corpus",
                    "split+hash+Parquet 1 proc s",
                    f"… {WORKERS} procs s",
                    "language detection 1 proc s",
                    f"… {WORKERS} procs s",
                    f"language floor {WORKERS} procs MB/s",
                    f"langdetect's own code {WORKERS} procs s",
                    "other CPU (the four runs)",
                    "texts",
                    "bodies = warehouse",
                    "languages = warehouse",
                ],
                rows,
            )
        )
    else:
        lines.append("Not measured in this run.")
    nb = results.get("naive_baseline")
    lines += ["", "## Naive baseline", ""]
    if nb:
        lines.append(
            f"pandas + `langdetect.detect` on the full body of each of the {nb['records']:,} records of the "
            f"{nb['size_mb']:g} MB corpus, one process, then `DataFrame.to_parquet`: **{nb['seconds']:,.1f} s** "
            f"({nb['mb_per_s']:.3f} MB/s). The records come from the product's own split, made outside the timing."
        )
    else:
        lines.append("Not measured in this run.")
    fc = results.get("fixed_cost")
    lines += ["", "## Fixed cost (one-file corpus)", ""]
    if fc:
        rows = [
            [
                r.get("label", f"run {i + 1}"),
                r["wall_s"],
                (r.get("stages") or {}).get("startup_s"),
                (r.get("stages") or {}).get("flow_s"),
                ((r.get("stages") or {}).get("tasks", {}).get("validate-batch") or {}).get("sum_s"),
                (r.get("stages") or {}).get("shutdown_s"),
                _mib(r["peak_rss_tree_bytes"]),
            ]
            for i, r in enumerate(
                [
                    *({**r, "label": f"tiny run {i + 1}"} for i, r in enumerate(fc["runs"])),
                    {**fc["no_validate"], "label": "tiny run, --no-validate"},
                    *(
                        [{**fc["fresh_prefect_home_run"], "label": "first run in a fresh PREFECT_HOME"}]
                        if "fresh_prefect_home_run" in fc
                        else []
                    ),
                    *(
                        [{**fc["ephemeral_api_run"], "label": "tiny run, Prefect's temporary API (no server)"}]
                        if "ephemeral_api_run" in fc
                        else []
                    ),
                ]
            )
        ]
        lines.append(
            _table(["run", "wall s", "start-up s", "flow s", "validate s", "shutdown s", "peak RSS MiB"], rows)
        )
        lines += ["", "Import and start-up times (a fresh `python -c ...` each, wall s):", ""]
        lines.append(_table(["what", "s"], [[k, v] for k, v in fc["imports_s"].items()]))
    from bench.peers.report import render_peers

    lines += render_peers(results)
    lines += ["", "## Targets", ""]
    lines.append(
        _table(
            ["target", "value", "wanted", "met"],
            [[t["name"], t["value"], t["target"], "—" if t["met"] is None else t["met"]] for t in results["targets"]],
        )
    )
    rat = results["ratios"]
    lines += ["", "Ratios per size:", ""]
    cols = [
        "s_per_mb",
        "s_per_mb_without_fixed_cost",
        "throughput_vs_lang_floor",
        "throughput_vs_lang_floor_without_fixed_cost",
        "throughput_vs_split_floor",
        "throughput_vs_langdetect_floor",
        "speedup_vs_naive",
        "rerun_vs_first",
        "rerun_flow_vs_first",
        "rerun_flow_s",
        "lang_floor_cpu_share_of_product_cpu",
        "split_floor_cpu_share_of_product_cpu",
        "lang_floor_parallel_speedup",
        "floor_measured_on",
    ]
    lines.append(
        _table(["corpus", *cols], [[f"{k} MB", *(r.get(c) for c in cols)] for k, r in rat["per_size"].items()])
    )
    if "linearity_s_per_mb_ratio" in rat:
        a, b = rat["linearity_between"]
        lines += [
            "",
            f"Scaling {a} → {b}: s/MB ratio {rat['linearity_s_per_mb_ratio']} "
            f"({rat.get('linearity_s_per_mb_ratio_without_fixed_cost')} without the fixed cost), "
            f"peak RSS ratio {rat['peak_rss_ratio']}.",
        ]
    if results.get("notes"):
        lines += ["", "## Notes", "", *(f"- {n}" for n in results["notes"])]
    return "\n".join(lines) + "\n"


def write_results(results: dict[str, Any], out_dir: Path) -> None:
    results["ratios"] = ratios(results)
    results["targets"] = targets(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "RESULTS.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    (out_dir / "RESULTS.md").write_text(render(results))
