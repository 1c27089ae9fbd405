"""What the benchmark computes from its timings and counts, as pure functions: the ratios to the floors and the
baseline, and the targets met or not."""

from __future__ import annotations

from typing import Any

from bench.run.common import MIB, WORKERS

TARGETS = {
    "throughput_vs_lang_floor": 0.70,  # product MB/s over the 2-process language-detection floor's MB/s
    "speedup_vs_naive": 2.0,  # product MB/s over the naive pandas + langdetect baseline's MB/s
    "rerun_vs_first": 0.02,  # wall time of the rerun on the unchanged corpus over the first run
    "peak_rss_bytes": 1 << 30,  # peak RSS of the process tree, and flat from 50 MB to 1 GB
}


# ==================================================================================================
# Ratios and targets


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The ratios the targets are about, per size, and the scaling between sizes."""
    sizes = results["sizes"]
    fixed = results.get("fixed_cost", {}).get("wall_s")
    naive = results.get("naive_baseline")
    keys = sorted(sizes, key=float)
    floor_ref = next((k for k in keys if "floors" in sizes[k]), None)
    per: dict[str, Any] = {}
    for k in keys:
        s = sizes[k]
        p = s["product"]
        r: dict[str, Any] = {"s_per_mb": p["s_per_mb"]}
        if fixed is not None:
            r["s_per_mb_without_fixed_cost"] = round((p["wall_s"] - fixed) / p["mb"], 3)
        src = k if "floors" in s else floor_ref
        if src is not None:
            fl = sizes[src]["floors"]
            lang_mb_s = fl[f"lang_{WORKERS}p"]["mb_per_s"]
            r["floor_measured_on"] = f"{src} MB" + ("" if src == k else " (rate in MB/s applied to this size)")
            r["throughput_vs_lang_floor"] = round(p["mb_per_s"] / lang_mb_s, 3)
            if fixed is not None:
                r["throughput_vs_lang_floor_without_fixed_cost"] = round(
                    (p["mb"] / (p["wall_s"] - fixed)) / lang_mb_s, 3
                )
            r["throughput_vs_split_floor"] = round(p["mb_per_s"] / fl[f"split_{WORKERS}p"]["mb_per_s"], 3)
            if f"lang_{WORKERS}p_langdetect" in fl:
                r["throughput_vs_langdetect_floor"] = round(
                    p["mb_per_s"] / fl[f"lang_{WORKERS}p_langdetect"]["mb_per_s"], 3
                )
            speedup = fl["lang_1p"]["seconds"] / fl[f"lang_{WORKERS}p"]["seconds"]
            r["lang_floor_parallel_speedup"] = round(speedup, 2)
            r["lang_floor_contended"] = speedup < 0.75 * WORKERS
            if src == k and s["first_run"].get("cpu_s") and "cpu_s" in fl["lang_1p"]:
                # CPU seconds are less disturbed by other work on the machine than wall seconds.
                r["lang_floor_cpu_share_of_product_cpu"] = round(fl["lang_1p"]["cpu_s"] / s["first_run"]["cpu_s"], 3)
                r["split_floor_cpu_share_of_product_cpu"] = round(fl["split_1p"]["cpu_s"] / s["first_run"]["cpu_s"], 3)
        if naive:
            r["speedup_vs_naive"] = round(p["mb_per_s"] / naive["mb_per_s"], 3)
        r["rerun_vs_first"] = round(s["rerun"]["wall_s"] / s["first_run"]["wall_s"], 4)
        if "rerun_flow" in s:
            r["rerun_flow_vs_first"] = round(s["rerun_flow"]["wall_s"] / s["first_run"]["wall_s"], 4)
        if s["rerun"].get("run", {}).get("seconds") is not None:
            r["rerun_flow_s"] = s["rerun"]["run"]["seconds"]
        r["peak_rss_tree_bytes"] = s["first_run"]["peak_rss_tree_bytes"]
        per[k] = r
    out: dict[str, Any] = {"per_size": per}
    if len(keys) >= 2:
        lo, hi = keys[0], keys[-1]
        out["linearity_s_per_mb_ratio"] = round(per[hi]["s_per_mb"] / per[lo]["s_per_mb"], 3)
        if fixed is not None:
            out["linearity_s_per_mb_ratio_without_fixed_cost"] = round(
                per[hi]["s_per_mb_without_fixed_cost"] / per[lo]["s_per_mb_without_fixed_cost"], 3
            )
        out["peak_rss_ratio"] = round(per[hi]["peak_rss_tree_bytes"] / per[lo]["peak_rss_tree_bytes"], 3)
        out["linearity_between"] = [f"{lo} MB", f"{hi} MB"]
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rat = results["ratios"]
    out: list[dict[str, Any]] = []

    def add(name: str, value: Any, target: str, met: bool | None) -> None:
        out.append({"name": name, "value": value, "target": target, "met": met})

    for k, r in rat["per_size"].items():
        if "throughput_vs_lang_floor" in r:
            v = r["throughput_vs_lang_floor"]
            name = f"{k} MB: throughput / 2-process language floor"
            if r.get("lang_floor_contended"):
                name += f" (**floor contended**: 2 processes were only {r['lang_floor_parallel_speedup']}x 1 process)"
            add(name, v, ">= 0.70", v >= TARGETS["throughput_vs_lang_floor"])
        for key, name in (
            ("lang_floor_cpu_share_of_product_cpu", "same, from CPU seconds (language floor CPU s / product CPU s)"),
            (
                "throughput_vs_langdetect_floor",
                "throughput / 2-process floor of langdetect's own code (the engine the product replaces)",
            ),
        ):
            if key in r:
                add(f"{k} MB: {name}", r[key], ">= 0.70", r[key] >= TARGETS["throughput_vs_lang_floor"])
        if "speedup_vs_naive" in r:
            v = r["speedup_vs_naive"]
            add(f"{k} MB: throughput / naive baseline", v, ">= 2.0", v >= TARGETS["speedup_vs_naive"])
        v = r["rerun_vs_first"]
        add(f"{k} MB: rerun time / first run", v, "<= 0.02", v <= TARGETS["rerun_vs_first"])
        if "rerun_flow_vs_first" in r:
            v = r["rerun_flow_vs_first"]
            add(
                f"{k} MB: for comparison, the rerun through the Prefect flow (--always-flow)",
                v,
                "<= 0.02",
                v <= TARGETS["rerun_vs_first"],
            )
        v = r["peak_rss_tree_bytes"]
        add(f"{k} MB: peak RSS (process tree)", f"{v / MIB:.0f} MiB", "<= 1024 MiB", v <= TARGETS["peak_rss_bytes"])
    if "peak_rss_ratio" in rat:
        a, b = rat["linearity_between"]
        add(f"peak RSS {b} / {a}", rat["peak_rss_ratio"], "flat (about 1)", rat["peak_rss_ratio"] <= 1.25)
        add(f"s/MB {b} / {a}", rat["linearity_s_per_mb_ratio"], "linear (about 1)", None)
    from bench.peers.measure import peer_targets

    return out + peer_targets(results)
