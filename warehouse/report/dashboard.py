"""The data-quality dashboard: one self-contained, offline HTML file built from the warehouse.

Everything is aggregated in SQL (``warehouse/sql/report/*.sql``, one statement a file) over a read-only
connection; the charts are inline SVG drawn here, the page has no script at all and a Content Security
Policy that forbids any (and any network fetch), so it renders the same from a file, a mail attachment
or an artefact store. Every value that comes from the data goes through :func:`html.escape`.

Sizes are bounded whatever the history holds: per-run charts show the last ``CHART_POINTS`` runs, lists
show the top ``TOP_N`` (or ``MAX_SOURCES`` / ``MAX_QUARANTINE_ROWS``) rows, long texts are cut.
"""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from expectations import SUITE_NAMES, SUITES_DIR
from warehouse.db import connect_report, sql

Row = dict[str, Any]
_Point = tuple[int, float, str, str]  # a point of a per-run line: run index, percent, CSS class, tooltip

CHART_POINTS = 200  # runs drawn in a per-run chart (the most recent ones)
TOP_N = 15  # rows of a top-N list (reasons, rules, languages, duplicates)
MAX_SOURCES = 100  # rows of the per-source table (worst first)
MAX_QUARANTINE_ROWS = 30  # quarantined rows of the last run shown
RECENT_RUNS = 12  # rows of the recent-runs table
MAX_EXPECTATIONS = 80  # rows of the expectation history
TEXT_CUT = 240  # characters shown of a long text value

# Colours of the charts (colour-blind safe pairs).
C_LOADED = "#3b6fb6"
C_QUARANTINED = "#e8903a"
C_FAILED = "#d1495b"
C_PASS = "#3a9a5b"
C_WARN = "#e3b23c"
C_NONE = "#e3e7ee"
C_OUTLET = "#7b4fa8"
C_UNTITLED = "#2a9d8f"

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


# ---------------------------------------------------------------------------------------------- data


def _query(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()) -> list[Row]:
    """Run ``warehouse/sql/report/<name>.sql`` and return every row as a dict (fully fetched)."""
    cur = con.execute(sql(f"report/{name}"), list(params))
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()) -> Row | None:
    rows = _query(con, name, params)
    return rows[0] if rows else None


@dataclass
class _Data:
    """Everything the page shows, read in one pass over the warehouse."""

    summary: Row
    last_run: Row | None
    validated: Row | None
    runs: list[Row]
    vruns: list[Row]
    exp_stats: list[Row]
    exp_history: list[Row]
    reasons: list[Row]
    rules: list[Row]
    languages: list[Row]
    dup_summary: Row
    dup_top: list[Row]
    source_status: list[Row]
    sources: list[Row]
    gaps: list[Row] = field(default_factory=list)  # per loading run, oldest first: articles without outlet/title
    failures: list[Row] = field(default_factory=list)
    quarantined: list[Row] = field(default_factory=list)


def _collect(con: duckdb.DuckDBPyConnection, max_runs: int) -> _Data:
    points = min(max_runs, CHART_POINTS)
    validated = _one(con, "last_validated_run")
    vrun_id = validated["run_id"] if validated else None
    data = _Data(
        summary=_one(con, "summary") or {},
        last_run=_one(con, "last_run"),
        validated=validated,
        runs=_query(con, "runs_volume", [points]),
        vruns=list(reversed(_query(con, "validated_runs", [points]))),
        exp_stats=_query(con, "expectation_stats", [max_runs, vrun_id]),
        exp_history=_query(con, "expectation_history", [points]),
        reasons=_query(con, "quarantine_reasons", [vrun_id, TOP_N]),
        rules=_query(con, "removed_rules", [TOP_N]),
        languages=_query(con, "language_mix", [TOP_N]),
        dup_summary=_one(con, "duplicates_summary") or {},
        dup_top=_query(con, "duplicates_top", [TOP_N]),
        source_status=_query(con, "sources_status"),
        sources=_query(con, "sources_worst", [MAX_SOURCES]),
        gaps=list(reversed(_query(con, "article_gaps", [points]))),
    )
    if vrun_id is not None:
        data.failures = _query(con, "last_failures", [vrun_id])
        data.quarantined = _query(con, "last_quarantine", [vrun_id, MAX_QUARANTINE_ROWS])
    return data


def _suite_reasons() -> dict[tuple[str, ...], str]:
    """The reviewed ``meta.reason`` of the suites in expectations/, keyed for :func:`_reason_for`.

    Keys are (suite, 'type:columns', severity) and, when that pair occurs once in the suite, (suite,
    'type:columns'): the hash part of a stored expectation id covers the kwargs as GX completed them,
    which the suite file does not spell out.
    """
    out: dict[tuple[str, ...], str] = {}
    seen: dict[tuple[str, ...], int] = {}
    for suite in SUITE_NAMES:
        try:
            data = json.loads((SUITES_DIR / f"{suite}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for exp in data.get("expectations", []):
            meta = exp.get("meta") or {}
            kwargs = exp.get("kwargs") or {}
            if not meta.get("reason"):
                continue
            cols = kwargs.get("column") or ",".join(str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs)
            short = f"{exp.get('type')}:{cols}"
            for key in ((suite, short, str(meta.get("severity"))), (suite, short)):
                seen[key] = seen.get(key, 0) + 1
                out[key] = str(meta["reason"])
    return {k: v for k, v in out.items() if seen[k] == 1}


def _reason_for(reasons: dict[tuple[str, ...], str], suite: str, eid: str, severity: object) -> str | None:
    short = eid.rsplit(":", 1)[0]
    return reasons.get((suite, short, str(severity))) or reasons.get((suite, short))


# ---------------------------------------------------------------------------------------------- format


def esc(value: object) -> str:
    """HTML-escape any value from the data (None becomes the empty string)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _cut(value: object, limit: int = TEXT_CUT) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def _num(value: object) -> str:
    return f"{_int(value):,}"


def _pct(part: float, whole: float, digits: int = 1) -> str:
    if not whole:
        return "–"
    return f"{100.0 * part / whole:.{digits}f}%"


def _short_id(run_id: object) -> str:
    text = str(run_id or "")
    return text[:8] if len(text) > 8 else text


def _file_cell(path: object) -> str:
    """A path as 'name' over a muted directory, both escaped; the full path as a tooltip."""
    text = str(path or "")
    head, _, name = text.rpartition("/")
    return (
        f'<span class="path" title="{esc(text)}"><span class="fname">{esc(_cut(name, 80))}</span>'
        f'<span class="dir">{esc(_cut(head, 90))}/</span></span>'
        if head
        else f'<span class="path"><span class="fname">{esc(_cut(text, 80))}</span></span>'
    )


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge b-{esc(kind)}">{esc(text)}</span>'


def _status_badge(status: object) -> str:
    s = str(status or "unknown")
    kind = {"completed": "ok", "loaded": "ok", "skipped": "muted", "running": "info", "failed": "bad"}.get(s, "muted")
    return _badge(s, kind)


def _severity_badge(severity: object) -> str:
    s = str(severity or "")
    return _badge(s, "bad" if s == "error" else "warn" if s == "warning" else "muted")


def _nice_ticks(vmax: float, target: int = 5) -> list[float]:
    """Round axis ticks from 0 covering ``vmax`` (at least one step)."""
    if vmax <= 0:
        return [0.0, 1.0]
    raw = vmax / target
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if step >= 1:
        step = max(1.0, round(step))
    n = math.ceil(vmax / step - 1e-9)
    return [i * step for i in range(n + 1)]


def _tick_label(v: float) -> str:
    if v >= 1_000_000:
        return f"{v / 1_000_000:g}M"
    if v >= 10_000:
        return f"{v / 1000:g}k"
    return f"{v:,.0f}" if v == int(v) else f"{v:g}"


def _f(x: float) -> str:
    """A coordinate with at most one decimal (keeps the SVG small)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _label_indexes(n: int, most: int = 6) -> list[int]:
    if n <= most:
        return list(range(n))
    return sorted({round(k * (n - 1) / (most - 1)) for k in range(most)})


# ---------------------------------------------------------------------------------------------- charts


def _volume_chart(runs: list[Row]) -> str:
    """Stacked bars per run: records loaded and quarantined; failed runs marked under the axis."""
    w, h, ml, mr, mt, mb = 1040, 270, 62, 14, 14, 56
    pw, ph = w - ml - mr, h - mt - mb
    n = len(runs)
    totals = [max(_int(r["loaded"]), 0) + max(_int(r["quarantined"]), 0) for r in runs]
    ticks = _nice_ticks(max(totals, default=0))
    top = ticks[-1] or 1.0
    parts = [
        f'<svg class="chart chart-volume" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="Records loaded and quarantined per run, last {n} runs">'
    ]
    for t in ticks:
        y = mt + ph - ph * t / top
        parts.append(f'<line class="grid" x1="{ml}" x2="{w - mr}" y1="{_f(y)}" y2="{_f(y)}"/>')
        parts.append(f'<text class="tick" x="{ml - 8}" y="{_f(y + 4)}" text-anchor="end">{_tick_label(t)}</text>')
    slot = pw / max(n, 1)
    bw = max(1.0, min(slot * 0.74, 42.0))
    for i, r in enumerate(runs):
        x = ml + i * slot + (slot - bw) / 2
        loaded, quarantined = max(_int(r["loaded"]), 0), max(_int(r["quarantined"]), 0)
        hl, hq = ph * loaded / top, ph * quarantined / top
        tip = (
            f"{r['started']} UTC · run {r['run_id']} · {r['status']}\n"
            f"loaded {loaded:,} · quarantined {quarantined:,} · files processed {_int(r['processed']):,}, "
            f"skipped {_int(r['skipped']):,}, failed {_int(r['failed']):,}"
            + (f"\n{_cut(r['error'], 200)}" if r.get("error") else "")
        )
        parts.append(f"<g><title>{esc(tip)}</title>")
        base = mt + ph
        if loaded:
            parts.append(
                f'<rect class="bar-loaded" x="{_f(x)}" y="{_f(base - hl)}" width="{_f(bw)}" height="{_f(hl)}"/>'
            )
        if quarantined:
            parts.append(
                f'<rect class="bar-quarantined" x="{_f(x)}" y="{_f(base - hl - max(hq, 1.5))}" '
                f'width="{_f(bw)}" height="{_f(max(hq, 1.5))}"/>'
            )
        if not loaded and not quarantined:
            parts.append(f'<rect class="bar-empty" x="{_f(x)}" y="{_f(base - 2)}" width="{_f(bw)}" height="2"/>')
        if r["status"] == "failed" or _int(r["failed"]):
            cx = x + bw / 2
            parts.append(
                f'<path class="mark-failed" d="M{_f(cx)} {_f(base + 4)}l4 7h-8z"/>'
                if r["status"] != "failed"
                else f'<rect class="mark-failed" x="{_f(x)}" y="{_f(base + 3)}" width="{_f(bw)}" height="5"/>'
            )
        parts.append("</g>")
    parts.append(f'<line class="axis" x1="{ml}" x2="{w - mr}" y1="{mt + ph}" y2="{mt + ph}"/>')
    for i in _label_indexes(n):
        cx = ml + i * slot + slot / 2
        label = str(runs[i]["started"] or "")[5:]
        anchor = "start" if n > 1 and i == 0 else "end" if n > 1 and i == n - 1 else "middle"
        parts.append(f'<text class="tick" x="{_f(cx)}" y="{mt + ph + 24}" text-anchor="{anchor}">{esc(label)}</text>')
    parts.append(
        f'<text class="axis-title" transform="translate(16 {mt + ph / 2}) rotate(-90)" text-anchor="middle">'
        "records</text>"
    )
    parts.append(
        f'<text class="axis-title" x="{ml + pw / 2}" y="{h - 8}" text-anchor="middle">'
        f"run start (UTC, MM-DD hh:mm), oldest → newest · last {n} run{'s' if n != 1 else ''}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _percent_chart(
    runs: list[Row], name: str, aria: str, y_title: str, x_title: str, lines: list[tuple[str, list[_Point]]]
) -> str:
    """Lines over the runs on a 0-100 % axis. Each line is (its CSS class, its points); a point is (run index,
    percent, the dot's CSS class, tooltip). A run a line has no point for leaves a gap in it."""
    w, h, ml, mr, mt, mb = 1040, 190, 62, 14, 12, 44
    pw, ph = w - ml - mr, h - mt - mb
    n = len(runs)
    slot = pw / max(n, 1)
    parts = [f'<svg class="chart {name}" viewBox="0 0 {w} {h}" role="img" aria-label="{esc(aria)}, last {n} runs">']
    for t in (0, 25, 50, 75, 100):
        y = mt + ph - ph * t / 100
        parts.append(f'<line class="grid" x1="{ml}" x2="{w - mr}" y1="{_f(y)}" y2="{_f(y)}"/>')
        parts.append(f'<text class="tick" x="{ml - 8}" y="{_f(y + 4)}" text-anchor="end">{t}%</text>')
    for line_cls, points in lines:
        path: list[str] = []
        dots: list[str] = []
        last = -2
        for i, rate, dot_cls, tip in points:
            x, y = ml + i * slot + slot / 2, mt + ph - ph * rate / 100
            path.append(f"{'L' if i == last + 1 else 'M'}{_f(x)} {_f(y)}")
            last = i
            dots.append(
                f'<circle class="{dot_cls}" cx="{_f(x)}" cy="{_f(y)}" r="3.2"><title>{esc(tip)}</title></circle>'
            )
        if path:
            parts.append(f'<path class="{line_cls}" d="{"".join(path)}"/>')
        parts.extend(dots)
    parts.append(f'<line class="axis" x1="{ml}" x2="{w - mr}" y1="{mt + ph}" y2="{mt + ph}"/>')
    for i in _label_indexes(n):
        cx = ml + i * slot + slot / 2
        anchor = "start" if n > 1 and i == 0 else "end" if n > 1 and i == n - 1 else "middle"
        label = str(runs[i]["started"] or "")[5:]
        parts.append(f'<text class="tick" x="{_f(cx)}" y="{mt + ph + 20}" text-anchor="{anchor}">{esc(label)}</text>')
    parts.append(
        f'<text class="axis-title" transform="translate(16 {mt + ph / 2}) rotate(-90)" text-anchor="middle">'
        f"{esc(y_title)}</text>"
    )
    parts.append(
        f'<text class="axis-title" x="{ml + pw / 2}" y="{h - 6}" text-anchor="middle">'
        f"run start (UTC), oldest → newest · {esc(x_title)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _pass_rate_chart(runs: list[Row]) -> str:
    """Share of expectations that passed, per run (runs that validated nothing leave a gap)."""
    points: list[_Point] = []
    for i, r in enumerate(runs):
        evaluated = _int(r.get("evaluated"))
        if not evaluated:
            continue
        rate = 100.0 * _int(r.get("successful")) / evaluated
        tip = f"{r['started']} UTC · run {r['run_id']}\n{_int(r.get('successful'))} of {evaluated} passed ({rate:.1f}%)"
        points.append((i, rate, "dot-ok" if rate >= 100 else "dot-bad", tip))
    return _percent_chart(
        runs,
        "chart-passrate",
        "Expectation pass rate per run",
        "passed",
        "expectations passed / evaluated over all batches of the run",
        [("line", points)],
    )


def _share_chart(runs: list[Row], series: Sequence[tuple[str, str, str]]) -> str:
    """Shares per run as lines: one per ``(count column, CSS class suffix, label)`` of ``series``, each count
    a share of the run's ``n_articles`` (runs without articles leave a gap)."""
    lines: list[tuple[str, list[_Point]]] = []
    for column, cls, label in series:
        points: list[_Point] = []
        for i, r in enumerate(runs):
            total = _int(r.get("n_articles"))
            if not total:
                continue
            part = _int(r.get(column))
            tip = (
                f"{r['started']} UTC · run {r['run_id']}\n{label}: {part:,} of {total:,} articles ({_pct(part, total)})"
            )
            points.append((i, 100.0 * part / total, f"dot-{cls}", tip))
        lines.append((f"line-{cls}", points))
    return _percent_chart(
        runs,
        "chart-gaps",
        "Share of articles without outlet and without title per run",
        "articles",
        "runs whose articles are in the warehouse",
        lines,
    )


def _rate_colour(rate: float | None) -> str:
    if rate is None:
        return C_NONE
    if rate >= 0.999:
        return C_PASS
    if rate <= 0.001:
        return C_FAILED
    return C_WARN


def _heat_strip(cells: list[tuple[str, float | None, int | None]]) -> str:
    """One expectation over the validated runs: green passed, red failed, amber mixed, grey not evaluated.

    Adjacent runs of one colour are drawn as one rectangle, so the strip stays small for long histories.
    """
    w, h = 400, 18
    n = len(cells)
    slot = w / max(n, 1)
    parts = [f'<svg class="strip" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img">']
    i = 0
    while i < n:
        colour = _rate_colour(cells[i][1])
        j = i
        while j + 1 < n and _rate_colour(cells[j + 1][1]) == colour:
            j += 1
        first, last = cells[i][0], cells[j][0]
        span = f"{first}" if i == j else f"{first} → {last} ({j - i + 1} runs)"
        if colour == C_NONE:
            what = "not evaluated"
        elif i == j:
            rate, unexpected = cells[i][1] or 0.0, cells[i][2]
            what = f"passed in {rate * 100:.0f}% of batches" + (f", {unexpected:,} unexpected" if unexpected else "")
        else:
            what = {C_PASS: "passed", C_FAILED: "failed", C_WARN: "passed in some batches"}[colour]
        parts.append(
            f'<rect x="{_f(i * slot)}" y="0" width="{_f((j - i + 1) * slot + 0.3)}" height="{h}" fill="{colour}">'
            f"<title>{esc(span)} UTC: {esc(what)}</title></rect>"
        )
        i = j + 1
    parts.append("</svg>")
    return "".join(parts)


def _hbars(items: list[tuple[str, int, str]], total: int, cls: str = "") -> str:
    """Horizontal bars as an HTML table: label (already HTML), value, share of ``total``."""
    if not items:
        return '<p class="empty">Nothing to show.</p>'
    vmax = max(v for _, v, _ in items) or 1
    rows = []
    for label_html, value, extra_html in items:
        width = 100.0 * value / vmax
        sub = f'<div class="sub">{extra_html}</div>' if extra_html else ""
        rows.append(
            f'<tr><th scope="row">{label_html}{sub}</th>'
            f'<td class="barcell"><span class="hbar {cls}" style="width:{width:.1f}%"></span></td>'
            f'<td class="num">{value:,}</td><td class="num muted">{_pct(value, total)}</td></tr>'
        )
    return f'<table class="bars">{"".join(rows)}</table>'


# ---------------------------------------------------------------------------------------------- sections


def _header(db_path: Path, generated: str, data: _Data, docs_link: str) -> str:
    last = data.last_run
    last_html = (
        f'<code title="{esc(last["run_id"])}">{esc(_short_id(last["run_id"]))}</code> '
        f"{_status_badge(last['status'])} {esc(last['started'])} UTC"
        if last
        else "none yet"
    )
    nav = "".join(
        f'<a href="#{a}">{t}</a>'
        for a, t in (
            ("volume", "Volume"),
            ("expectations", "Expectations"),
            ("gaps", "No outlet / title"),
            ("quarantine", "Quarantine"),
            ("languages", "Languages"),
            ("rules", "Removed spans"),
            ("duplicates", "Duplicates"),
            ("sources", "Sources"),
            ("failures", "Last run's failures"),
        )
    )
    return (
        '<header class="top"><div class="wrap">'
        '<div class="title"><h1>Data quality</h1><span class="kicker">corpus-etl warehouse</span></div>'
        '<dl class="meta">'
        f'<div><dt>Warehouse</dt><dd><code class="wh">{esc(db_path)}</code></dd></div>'
        f"<div><dt>Generated</dt><dd>{esc(generated)} UTC</dd></div>"
        f"<div><dt>Last run</dt><dd>{last_html}</dd></div>"
        "</dl>"
        f'<nav class="nav">{nav}{docs_link}</nav>'
        "</div></header>"
    )


def _card(label: str, value: str, note: str, kind: str = "") -> str:
    return (
        f'<div class="card {kind}"><div class="card-label">{label}</div>'
        f'<div class="card-value">{value}</div><div class="card-note">{note}</div></div>'
    )


def _summary_band(data: _Data) -> str:
    s = data.summary
    articles, quarantined = _int(s.get("articles")), _int(s.get("quarantined"))
    records = articles + quarantined
    v = data.validated
    if v:
        evaluated, successful = _int(v["evaluated"]), _int(v["successful"])
        rate = 100.0 * successful / evaluated if evaluated else 0.0
        same = data.last_run is not None and data.last_run["run_id"] == v["run_id"]
        which = "last run" if same else "last validated run"
        pass_card = _card(
            f"Pass rate · {which}",
            f"{rate:.1f}%",
            f"{successful:,} of {evaluated:,} expectation results · run "
            f'<code title="{esc(v["run_id"])}">{esc(_short_id(v["run_id"]))}</code>',
            "good" if rate >= 100 else "bad",
        )
    else:
        pass_card = _card("Pass rate · last run", "–", "no run has validated data yet")
    dup = _int(data.dup_summary.get("extra_copies"))
    cards = [
        _card(
            "Runs",
            _num(s.get("runs")),
            f"{_num(s.get('failed_runs'))} failed" if _int(s.get("failed_runs")) else "none failed",
            "bad" if _int(s.get("failed_runs")) else "",
        ),
        _card("Records", _num(articles), f"in <code>articles</code> · from {_num(s.get('sources'))} files"),
        _card(
            "Quarantined",
            _num(quarantined),
            f"{_pct(quarantined, records)} of all records",
            "warn" if quarantined else "good",
        ),
        pass_card,
        _card(
            "Failed files",
            _num(s.get("failed_sources")),
            f"of {_num(s.get('sources'))} source files",
            "bad" if _int(s.get("failed_sources")) else "good",
        ),
        _card("Duplicate copies", _num(dup), f"{_pct(dup, articles)} of records repeat another body"),
    ]
    if data.gaps:
        g = data.gaps[-1]
        total = _int(g["n_articles"])
        cards.append(
            _card(
                "No outlet · last loading run",
                _pct(_int(g["n_outlet_none"]), total),
                f"{_num(g['n_outlet_none'])} of {total:,} articles name none · untitled "
                f"{_pct(_int(g['n_untitled']), total)} · run "
                f'<code title="{esc(g["run_id"])}">{esc(_short_id(g["run_id"]))}</code>',
            )
        )
    return f'<section class="band">{"".join(cards)}</section>'


def _volume_section(data: _Data) -> str:
    runs = data.runs
    if not runs:
        return '<section id="volume"><h2>Volume per run</h2><p class="empty">No runs yet.</p></section>'
    recent = list(reversed(runs[-RECENT_RUNS:]))
    rows = []
    for r in recent:
        evaluated = _int(r.get("evaluated"))
        rate = _pct(_int(r.get("successful")), evaluated) if evaluated else "–"
        err = f'<div class="err">{esc(_cut(r["error"], 200))}</div>' if r.get("error") else ""
        rows.append(
            f"<tr><td class='nowrap'>{esc(r['started'])}</td>"
            f'<td><code title="{esc(r["run_id"])}">{esc(_short_id(r["run_id"]))}</code></td>'
            f"<td>{_status_badge(r['status'])}{err}</td>"
            f"<td class='num'>{esc(r['seconds'] if r['seconds'] is not None else '–')}</td>"
            f"<td class='num'>{_num(r['processed'])}</td><td class='num'>{_num(r['skipped'])}</td>"
            f"<td class='num{' bad' if _int(r['failed']) else ''}'>{_num(r['failed'])}</td>"
            f"<td class='num'>{_num(r['loaded'])}</td>"
            f"<td class='num{' warn' if _int(r['quarantined']) else ''}'>{_num(r['quarantined'])}</td>"
            f"<td class='num'>{_num(r['removed_spans'])}</td><td class='num'>{rate}</td></tr>"
        )
    legend = (
        '<div class="legend">'
        f'<span><i style="background:{C_LOADED}"></i>loaded into articles</span>'
        f'<span><i style="background:{C_QUARANTINED}"></i>quarantined</span>'
        f'<span><i style="background:{C_FAILED}"></i>run failed (bar) / some files failed (▲)</span>'
        "</div>"
    )
    return (
        '<section id="volume"><h2>Volume per run</h2>'
        '<p class="hint">Records each run loaded and quarantined (hover a bar for its counts). '
        "A run that found every file unchanged loads nothing and shows as a thin grey stub.</p>"
        f"<figure><figcaption>Records per run</figcaption>{legend}{_volume_chart(runs)}</figure>"
        f"<figure><figcaption>Expectation pass rate per run</figcaption>{_pass_rate_chart(runs)}</figure>"
        f"<h3>Recent runs</h3>"
        '<div class="scroll"><table class="grid-table"><thead><tr><th>started (UTC)</th><th>run</th><th>status</th>'
        '<th class="num">seconds</th><th class="num">processed</th><th class="num">skipped</th>'
        '<th class="num">failed files</th><th class="num">loaded</th><th class="num">quarantined</th>'
        '<th class="num">removed spans</th><th class="num">passed</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _gaps_section(data: _Data) -> str:
    """Per run: the share of its articles whose page names no outlet, and of its untitled articles."""
    head = '<section id="gaps"><h2>Articles without outlet or title per run</h2>'
    if not data.gaps:
        return head + '<p class="empty">No articles yet.</p></section>'
    rows = []
    for g in reversed(data.gaps[-RECENT_RUNS:]):
        total, none, untitled = _int(g["n_articles"]), _int(g["n_outlet_none"]), _int(g["n_untitled"])
        rows.append(
            f'<tr data-run="{esc(g["run_id"])}"><td class="nowrap">{esc(g["started"] or "–")}</td>'
            f'<td><code title="{esc(g["run_id"])}">{esc(_short_id(g["run_id"]))}</code></td>'
            f"<td class='num'>{total:,}</td>"
            f"<td class='num'>{none:,}</td><td class='num'>{_pct(none, total)}</td>"
            f"<td class='num'>{untitled:,}</td><td class='num'>{_pct(untitled, total)}</td></tr>"
        )
    legend = (
        '<div class="legend">'
        f"<span><i style=\"background:{C_OUTLET}\"></i>no outlet (<code>outlet_source</code> = 'none')</span>"
        f'<span><i style="background:{C_UNTITLED}"></i>no title</span></div>'
    )
    series = (("n_outlet_none", "outlet", "no outlet"), ("n_untitled", "untitled", "no title"))
    return (
        head + "<p class=\"hint\">Articles (kind = 'article') in <code>articles</code> by the run that loaded them "
        "(records a later run replaced count under that run): the share whose page names no outlet, and the "
        "share without a title. The warning-level expectations on these shares run per batch; a corpus of "
        "pages without mastheads or copyright lines (BBC, Multi-News) names no outlet at all.</p>"
        f"<figure><figcaption>Share per run</figcaption>{legend}{_share_chart(data.gaps, series)}</figure>"
        "<h3>Recent runs</h3>"
        '<div class="scroll"><table class="grid-table"><thead><tr><th>started (UTC)</th><th>run</th>'
        '<th class="num">articles</th><th class="num">no outlet</th><th class="num">share</th>'
        '<th class="num">untitled</th><th class="num">share</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _expectations_section(data: _Data, reasons: dict[tuple[str, ...], str], max_runs: int) -> str:
    head = '<section id="expectations"><h2>Pass rate per expectation</h2>'
    if not data.exp_stats:
        return head + '<p class="empty">No validation results yet.</p></section>'
    index = {r["run_id"]: i for i, r in enumerate(data.vruns)}
    hist: dict[tuple[str, str], list[tuple[str, float | None, int | None]]] = {}
    for key in {(r["suite"], r["expectation_id"]) for r in data.exp_stats}:
        hist[key] = [(str(v["started"]), None, None) for v in data.vruns]
    for h in data.exp_history:
        key, i = (h["suite"], h["expectation_id"]), index.get(h["run_id"])
        if key in hist and i is not None:
            hist[key][i] = (str(data.vruns[i]["started"]), float(h["pass_rate"]), h["unexpected"])

    def order(r: Row) -> tuple[int, float, str, str]:
        last_bad = r["last_success"] is False
        rate = _int(r["passed"]) / max(_int(r["results"]), 1)
        return (0 if last_bad else 1, rate, str(r["suite"]), str(r["expectation_id"]))

    stats = sorted(data.exp_stats, key=order)
    shown = stats[:MAX_EXPECTATIONS]
    rows = []
    for r in shown:
        key = (r["suite"], r["expectation_id"])
        reason = _reason_for(reasons, str(r["suite"]), str(r["expectation_id"]), r["severity"])
        results, passed = _int(r["results"]), _int(r["passed"])
        last = r["last_success"]
        last_html = (
            _badge("passed", "ok") if last is True else _badge("failed", "bad") if last is False else "<span>–</span>"
        )
        col = f" · <code>{esc(r['column_name'])}</code>" if r.get("column_name") else ""
        rows.append(
            "<tr>"
            f'<td><div class="exp">{esc(reason or r["expectation_type"])}</div>'
            f'<div class="sub"><span class="suite">{esc(r["suite"])}</span>{col} · '
            f'<span title="{esc(r["expectation_id"])}">{esc(r["expectation_type"])}</span></div></td>'
            f"<td>{_severity_badge(r['severity'])}</td><td>{last_html}</td>"
            f"<td class='num'>{_pct(passed, results)}<div class='sub'>{passed:,}/{results:,}</div></td>"
            f'<td class="stripcell">{_heat_strip(hist.get(key, []))}</td>'
            f"<td class='nowrap muted'>{esc(r['last_failed'] or 'never')}</td>"
            "</tr>"
        )
    more = (
        f'<p class="hint">Showing {len(shown)} of {len(stats)} expectations (failing first).</p>'
        if len(stats) > len(shown)
        else ""
    )
    n = len(data.vruns)
    legend = (
        '<div class="legend">'
        f'<span><i style="background:{C_PASS}"></i>passed</span>'
        f'<span><i style="background:{C_WARN}"></i>failed in some batches</span>'
        f'<span><i style="background:{C_FAILED}"></i>failed</span>'
        f'<span><i style="background:{C_NONE}"></i>not evaluated</span></div>'
    )
    return (
        head + f'<p class="hint">Every expectation of the suites over the last {n} validated run'
        f"{'s' if n != 1 else ''} (one cell per run, oldest → newest; hover for details). "
        f"“Passed” counts batch results over the last {max_runs:,} validated runs at most.</p>"
        f"{legend}"
        '<div class="scroll"><table class="grid-table exp-table"><thead><tr><th>expectation</th><th>severity</th>'
        '<th>last run</th><th class="num">passed</th><th>history (oldest → newest)</th><th>last failed (UTC)</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{more}</section>"
    )


def _split_reason(reason: str) -> tuple[str, str]:
    """'type:column: why' -> ('why', 'type:column')."""
    head, sep, why = reason.partition(": ")
    return (why, head) if sep else (reason, "")


def _quarantine_section(data: _Data) -> str:
    total = _int(data.summary.get("quarantined"))
    items = []
    for r in data.reasons:
        why, what = _split_reason(str(r["reason"]))
        label = f'<div class="exp">{esc(why)}</div>'
        extra = f"<code>{esc(what)}</code> · {_num(r['n_last'])} in the last validated run"
        items.append((label, _int(r["n"]), extra))
    return (
        '<section id="quarantine"><h2>Quarantine by reason</h2>'
        f'<p class="hint">Records held in <code>quarantine</code> ({total:,}) per error-level expectation they '
        "failed (a record can fail several); share of all quarantined records.</p>"
        f"{_hbars(items, total, 'q')}</section>"
    )


def _rules_section(data: _Data) -> str:
    total = _int(data.summary.get("removed_spans"))
    items = [(f"<code>{esc(r['rule'])}</code>", _int(r["n"]), f"{_num(r['chars'])} chars") for r in data.rules]
    return (
        '<section id="rules"><h2>Removed spans by rule</h2>'
        f'<p class="hint">Boilerplate cut out of the sources ({total:,} spans) per rule of '
        f"<code>corpus_etl/rules/boilerplate.toml</code>, top {TOP_N}.</p>"
        f"{_hbars(items, total, 'r')}</section>"
    )


def _languages_section(data: _Data) -> str:
    total = _int(data.summary.get("articles"))
    items = []
    for r in data.languages:
        lang = str(r["language"])
        label = f"<code>{esc(lang)}</code>" + (' <span class="sub">undetermined</span>' if lang == "und" else "")
        prob = r.get("mean_prob")
        extra = f"{_num(r['articles'])} articles · mean probability {float(prob):.2f}" if prob is not None else ""
        items.append((label, _int(r["n"]), extra))
    shown = sum(v for _, v, _ in items)
    if total > shown:
        items.append(('<span class="muted">other</span>', total - shown, ""))
    return (
        '<section id="languages"><h2>Language mix</h2>'
        f'<p class="hint">Records in <code>articles</code> ({total:,}) per detected language.</p>'
        f"{_hbars(items, total, 'l')}</section>"
    )


def _duplicates_section(data: _Data) -> str:
    d = data.dup_summary
    groups, records, extra = _int(d.get("groups")), _int(d.get("records")), _int(d.get("extra_copies"))
    if not groups:
        body = '<p class="empty">No two records share a body.</p>'
    else:
        rows = []
        for r in data.dup_top:
            title = (
                f'<div class="exp">{esc(_cut(r["title"], 160))}</div>'
                if r.get("title")
                else f'<div class="exp notitle">(no title: {esc(r["kind"])})</div>'
            )
            rows.append(
                f"<tr><td>{title}<div class='preview'>{esc(_cut(r['preview'], 140))}</div></td>"
                f"<td class='num'>{_num(r['copies'])}</td><td class='num'>{_num(r['files'])}</td>"
                f"<td>{_file_cell(r['first_path'])}</td>"
                f"<td><code class='hash' title='{esc(r['content_hash'])}'>{esc(str(r['content_hash'])[:12])}</code>"
                "</td></tr>"
            )
        body = (
            '<div class="scroll"><table class="grid-table"><thead><tr><th>title</th><th class="num">copies</th>'
            '<th class="num">files</th><th>first copy in</th><th>content_hash</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    return (
        '<section id="duplicates"><h2>Duplicates</h2>'
        f'<p class="hint"><b>{records:,}</b> records share their body (<code>content_hash</code>) with another: '
        f"<b>{groups:,}</b> distinct bodies, <b>{extra:,}</b> copies beyond the first. Most repeated:</p>"
        f"{body}</section>"
    )


def _sources_section(data: _Data) -> str:
    total = sum(_int(r["n"]) for r in data.source_status)
    status = " · ".join(f"{_status_badge(r['status'])} {_num(r['n'])}" for r in data.source_status)
    if not data.sources:
        return '<section id="sources"><h2>Per-source quality</h2><p class="empty">No source files yet.</p></section>'
    rows = []
    for r in data.sources:
        n_art, n_q = _int(r["n_articles"]), _int(r["n_quarantined"])
        share = n_q / (n_art + n_q) if n_art + n_q else 0.0
        err = f'<div class="err">{esc(_cut(r["error"], 300))}</div>' if r.get("error") else ""
        rows.append(
            f"<tr><td>{_file_cell(r['path'])}</td><td>{_status_badge(r['status'])}{err}</td>"
            f"<td>{esc(r.get('format') or '')}</td>"
            f"<td class='num'>{n_art:,}</td>"
            f"<td class='num{' warn' if n_q else ''}'><span class='minibar' title='{100 * share:.0f}% of its records'>"
            f"<span style='width:{100 * share:.0f}%'></span></span>{n_q:,}</td>"
            f"<td class='num'>{_num(r['n_removed_spans'])}</td></tr>"
        )
    more = (
        f'<p class="hint">Showing the {len(rows)} worst of {total:,} files (failed first, then most quarantined).</p>'
        if total > len(rows)
        else ""
    )
    return (
        '<section id="sources"><h2>Per-source quality</h2>'
        f'<p class="hint">{total:,} source files: {status}. Worst first.</p>'
        '<div class="scroll"><table class="grid-table"><thead><tr><th>file</th><th>status</th><th>format</th>'
        '<th class="num">records</th><th class="num">quarantined</th><th class="num">removed spans</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}</section>"
    )


def _json_sample(value: object) -> str:
    """An unexpected_sample / observed_value (JSON text) shown compactly, escaped."""
    if value is None:
        return ""
    text = str(value)
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        pass
    return f"<code class='sample'>{esc(_cut(text, 400))}</code>"


def _docs_links(out_dir: Path) -> tuple[str, dict[str, str], str | None]:
    """(link to gx/index.html or '', suite -> relative page, run id the docs are for) from out_dir/gx."""
    index = out_dir / "gx" / "index.html"
    if not index.is_file():
        return "", {}, None
    pages: dict[str, str] = {}
    run_id: str | None = None
    try:
        manifest = json.loads((out_dir / "gx" / "manifest.json").read_text(encoding="utf-8"))
        run_id = manifest.get("run_id")
        for suite, rel in (manifest.get("validations") or {}).items():
            if isinstance(rel, str) and not rel.startswith(("/", "..")) and (out_dir / "gx" / rel).is_file():
                pages[str(suite)] = "gx/" + rel
    except (OSError, ValueError, AttributeError):
        pass
    return '<a class="docs" href="gx/index.html">GX Data Docs ↗</a>', pages, run_id


def _failures_section(data: _Data, reasons: dict[tuple[str, ...], str], out_dir: Path) -> str:
    head = '<section id="failures"><h2>Last run’s failures</h2>'
    v = data.validated
    if not v:
        return head + '<p class="empty">No run has validated data yet.</p></section>'
    docs_link, pages, docs_run = _docs_links(out_dir)
    last = data.last_run
    note = ""
    if last is not None and last["run_id"] != v["run_id"]:
        note = (
            f'<p class="note">The latest run (<code>{esc(_short_id(last["run_id"]))}</code>, {esc(last["started"])} '
            f"UTC, {esc(last['status'])}) validated no data: it processed {_num(last['n_processed'])} files. "
            "Showing the last run that did.</p>"
        )
    if docs_link:
        suite_links = " ".join(
            f'<a href="{esc(p)}">{esc(s)} validation ↗</a>' for s, p in sorted(pages.items()) if docs_run == v["run_id"]
        )
        stale = (
            ""
            if docs_run == v["run_id"]
            else f" <span class='warn'>(built for run <code>{esc(_short_id(docs_run))}</code>, not this one)</span>"
        )
        docs = f'<p class="docs-links">Data Docs: {docs_link} {suite_links}{stale}</p>'
    else:
        docs = '<p class="hint">No GX Data Docs beside this page (build them with <code>build_data_docs</code>).</p>'
    evaluated, successful = _int(v["evaluated"]), _int(v["successful"])
    summary = (
        f'<p class="hint">Run <code title="{esc(v["run_id"])}">{esc(v["run_id"])}</code> · started '
        f"{esc(v['started'])} UTC · {_status_badge(v['status'])} · {successful:,} of {evaluated:,} expectation "
        f"results passed in {_num(v['validations'])} suite validations.</p>"
    )
    if data.failures:
        rows = []
        for f in data.failures:
            reason = _reason_for(reasons, str(f["suite"]), str(f["expectation_id"]), f["severity"])
            page = pages.get(str(f["suite"])) if docs_run == v["run_id"] else None
            suite = f'<a href="{esc(page)}">{esc(f["suite"])}</a>' if page else esc(f["suite"])
            col = f" · <code>{esc(f['column_name'])}</code>" if f.get("column_name") else ""
            pct = f"{float(f['max_percent']):.1f}%" if f.get("max_percent") is not None else "–"
            rows.append(
                f"<tr><td><div class='exp'>{esc(reason or f['expectation_type'])}</div>"
                f"<div class='sub'><span class='suite'>{suite}</span>{col} · "
                f"<span title='{esc(f['expectation_id'])}'>{esc(f['expectation_type'])}</span></div></td>"
                f"<td>{_severity_badge(f['severity'])}</td>"
                f"<td class='num'>{_num(f['unexpected']) if f.get('unexpected') is not None else '–'}"
                f"<div class='sub'>max {pct}</div></td><td class='num'>{_num(f['batches_failed'])}</td>"
                f"<td>{_json_sample(f['sample'])}"
                f"{'<div class=sub>observed ' + _json_sample(f['observed']) + '</div>' if f.get('observed') else ''}"
                "</td></tr>"
            )
        failures = (
            "<h3>Failed expectations</h3>"
            '<div class="scroll"><table class="grid-table"><thead><tr><th>expectation</th><th>severity</th>'
            '<th class="num">unexpected</th><th class="num">batches</th><th>unexpected sample</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    else:
        failures = '<p class="ok-note">Every expectation passed in this run.</p>'
    if data.quarantined:
        n_total = _int(data.quarantined[0]["total"])
        rows = []
        for q in data.quarantined:
            if q.get("title"):
                title = f"<div class='exp'>{esc(_cut(q['title'], 200))}</div>"
            else:
                title = "<div class='exp notitle'>(no title)</div>"
                if q.get("before_text"):
                    title += (
                        f"<div class='sub'>just before it, removed as <code>{esc(q['before_rule'])}</code>: "
                        f"<q>{esc(_cut(str(q['before_text']).strip(), 200))}</q></div>"
                    )
            reasons_html = "".join(
                f"<li>{esc(_split_reason(str(x))[0])} <code>{esc(_split_reason(str(x))[1])}</code></li>"
                for x in (q.get("failed_expectations") or [])
            )
            rows.append(
                f"<tr><td>{title}<div class='preview'>{esc(_cut(q['preview'], 200))}</div></td>"
                f"<td>{_file_cell(q['source_path'])}<div class='sub'>record {_num(q['ordinal'])} · "
                f"{esc(q['kind'])} · {_num(q['n_words'])} words</div></td>"
                f"<td><ul class='reasons'>{reasons_html}</ul></td></tr>"
            )
        shown = (f"the first {len(rows)} of {n_total:,}" if n_total > len(rows) else f"{n_total:,} record") + (
            "s" if n_total != 1 and n_total <= len(rows) else ""
        )
        quarantined = (
            f"<h3>Quarantined in this run ({shown})</h3>"
            '<div class="scroll"><table class="grid-table"><thead><tr><th>record</th><th>source</th>'
            f"<th>failed expectations</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    else:
        quarantined = '<p class="ok-note">No record of this run is in quarantine.</p>'
    return head + note + summary + docs + failures + quarantined + "</section>"


# ---------------------------------------------------------------------------------------------- page

_CSS = """
:root{--ink:#1d2533;--muted:#667085;--line:#e4e7ec;--bg:#f6f7f9;--card:#fff;--accent:#3b6fb6;
--good:#2f8a4f;--bad:#c23b4e;--warn:#b7791f;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",
Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans","DejaVu Sans",sans-serif}
code{font-family:var(--mono);font-size:.86em;background:#eef1f5;border-radius:4px;padding:.05em .35em;
overflow-wrap:anywhere}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.wrap{max-width:1320px;margin:0 auto;padding:0 28px}
header.top{background:#19212f;color:#e9edf3;padding:22px 0 0;margin-bottom:22px}
header.top .title{display:flex;align-items:baseline;gap:14px}
header.top h1{margin:0;font-size:26px;font-weight:650;letter-spacing:-.01em}
.kicker{color:#9aa6b8;font-size:14px}
dl.meta{display:flex;flex-wrap:wrap;gap:8px 34px;margin:14px 0 16px}
dl.meta div{min-width:0}dl.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:#8d99ad}
dl.meta dd{margin:2px 0 0;color:#e9edf3}
header.top code{background:#273245;color:#e9edf3}
code.wh{font-size:13px}
nav.nav{display:flex;flex-wrap:wrap;gap:2px 4px;border-top:1px solid #2b3546;padding:6px 0}
nav.nav a{color:#c6d0de;padding:6px 10px;border-radius:6px;font-size:13px}
nav.nav a:hover{background:#273245;text-decoration:none}
nav.nav a.docs{margin-left:auto;color:#fff;background:#3b6fb6}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px 20px;
margin:0 0 18px;min-width:0}
section.band{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;
border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-left:4px solid #c9d1dd;border-radius:10px;
padding:12px 14px}
.card.good{border-left-color:var(--good)}.card.bad{border-left-color:var(--bad)}.card.warn{border-left-color:#e8903a}
.card-label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.06em}
.card-value{font-size:28px;font-weight:650;margin:2px 0;font-variant-numeric:tabular-nums}
.card.bad .card-value{color:var(--bad)}
.card-note{font-size:12.5px;color:var(--muted)}
h2{font-size:18px;margin:0 0 4px;font-weight:650}
h3{font-size:14.5px;margin:20px 0 8px;font-weight:650}
.hint{color:var(--muted);margin:0 0 12px;font-size:13px}
.note{background:#fff8e6;border:1px solid #f3dfa8;border-radius:8px;padding:8px 12px;font-size:13px}
.ok-note{color:var(--good);font-weight:550}
.empty{color:var(--muted);font-style:italic}
figure{margin:8px 0 14px}figcaption{font-weight:600;font-size:13.5px;margin-bottom:2px}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#edf0f4;stroke-width:1}svg .axis{stroke:#98a2b3;stroke-width:1}
svg .tick{fill:#667085;font-size:12px}svg .axis-title{fill:#475467;font-size:12.5px;font-weight:600}
svg .bar-loaded{fill:#3b6fb6}svg .bar-quarantined{fill:#e8903a}svg .bar-empty{fill:#c9d1dd}
svg .mark-failed{fill:#d1495b}
svg .line{fill:none;stroke:#3b6fb6;stroke-width:2}svg .dot-ok{fill:#3a9a5b}svg .dot-bad{fill:#d1495b}
svg .line-outlet{fill:none;stroke:#7b4fa8;stroke-width:2}svg .dot-outlet{fill:#7b4fa8}
svg .line-untitled{fill:none;stroke:#2a9d8f;stroke-width:2}svg .dot-untitled{fill:#2a9d8f}
svg g:hover rect{opacity:.8}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;color:var(--muted);margin:2px 0 6px}
.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
.grid-table th,.grid-table td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;
vertical-align:top}
.grid-table thead th{font-size:11.5px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);
font-weight:600;border-bottom:1px solid #cfd5de;white-space:nowrap}
.grid-table tbody tr:hover{background:#fafbfc}
.num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
td.bad,span.bad{color:var(--bad);font-weight:600}td.warn,span.warn{color:var(--warn);font-weight:600}
.muted{color:var(--muted)}.nowrap{white-space:nowrap}
.sub{color:var(--muted);font-size:12px;margin-top:1px}
.exp{font-weight:550}.notitle{font-style:italic;color:var(--muted);font-weight:500}
.suite{font-weight:600;color:#475467}
.preview{color:var(--muted);font-size:12.5px;margin-top:3px;max-width:70ch}
.path{display:flex;flex-direction:column;min-width:0}.fname{font-weight:550;overflow-wrap:anywhere}
.dir{color:var(--muted);font-size:11.5px;overflow-wrap:anywhere}
.err{color:var(--bad);font-size:12px;margin-top:3px;overflow-wrap:anywhere}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;font-weight:600;
white-space:nowrap;line-height:1.6}
.b-ok{background:#e3f4e8;color:#23693c}.b-bad{background:#fbe4e7;color:#a32639}
.b-warn{background:#fdf1d8;color:#8a5a0b}.b-info{background:#e3edfa;color:#2b5a9b}
.b-muted{background:#eef1f5;color:#475467}
table.bars th{font-weight:500;text-align:left;padding:5px 12px 5px 0;width:40%;vertical-align:middle}
table.bars td{padding:5px 8px;vertical-align:middle}
td.barcell{width:44%}
.hbar{display:block;height:14px;border-radius:3px;background:#3b6fb6;min-width:2px}
.hbar.q{background:#e8903a}.hbar.r{background:#8c9bb3}.hbar.l{background:#3a9a5b}
.minibar{display:inline-block;width:56px;height:6px;background:#eef1f5;border-radius:3px;margin-right:10px;
vertical-align:middle;overflow:hidden}
.minibar span{display:block;height:6px;background:#e8903a}
.exp-table td{vertical-align:middle}
td.stripcell{min-width:260px;width:34%}
svg.strip{display:block;width:100%;height:18px;border-radius:3px}
code.sample{display:block;white-space:pre-wrap;max-width:60ch;background:#f4f6f9}
ul.reasons{margin:0;padding-left:18px}ul.reasons li{margin:1px 0}
q{quotes:"«" "»"}
.docs-links a{margin-right:12px;font-weight:550}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:0 18px;align-items:start}
.pair section{margin:0 0 18px}
footer.foot{color:var(--muted);font-size:12px;text-align:center;padding:8px 0 30px}
"""


def render(data: _Data, db_path: Path, out_dir: Path, max_runs: int, generated: str) -> str:
    """The whole page as a string (no I/O except looking for Data Docs beside it)."""
    reasons = _suite_reasons()
    docs_link, _, _ = _docs_links(out_dir)
    body = "".join(
        [
            _header(db_path, generated, data, docs_link),
            '<main class="wrap">',
            _summary_band(data),
            _volume_section(data),
            _expectations_section(data, reasons, max_runs),
            _gaps_section(data),
            _quarantine_section(data),
            '<div class="pair">',
            _languages_section(data),
            _rules_section(data),
            "</div>",
            _duplicates_section(data),
            _sources_section(data),
            _failures_section(data, reasons, out_dir),
            "</main>",
            f'<footer class="foot">corpus-etl data-quality dashboard · generated {esc(generated)} UTC from '
            f"<code>{esc(db_path)}</code> · no scripts, no network</footer>",
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="warehouse.report.dashboard">'
        f"<title>Data quality · {esc(db_path.parent.name or db_path.name)}</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_dashboard(db_path: Path, out_dir: Path, max_runs: int = 1000, memory_limit: str | None = None) -> Path:
    """Write the data-quality dashboard of a warehouse to ``out_dir/index.html``.

    Args:
        db_path: the warehouse's DuckDB file (opened read-only, closed before returning).
        out_dir: where to write ``index.html`` (created if missing). When ``out_dir/gx/index.html`` exists
            (see ``build_data_docs``), the page links into those Data Docs.
        max_runs: history window: per-expectation pass rates count at most the last ``max_runs``
            validated runs; per-run charts show the last ``min(max_runs, 200)`` runs.

    Returns:
        The path of the written ``index.html``.
    """
    if max_runs < 1:
        raise ValueError(f"max_runs must be at least 1, got {max_runs}")
    db_path = Path(db_path)
    out_dir = Path(out_dir)
    if not db_path.is_file():
        raise FileNotFoundError(f"no warehouse database at {db_path}")
    con = connect_report(db_path, memory_limit)
    try:
        data = _collect(con, max_runs)
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    page = render(data, db_path.resolve(), out_dir, max_runs, generated)
    target = out_dir / "index.html"
    _write_atomic(target, page)
    return target
