"""The dashboard and the offline Data Docs of a real warehouse, looked at by a real (headless) browser.

A warehouse is built by the real flow from a copy of ../shared/seeds plus crafted files: an article whose
headline carries a script tag (and a copy of it), and a one-line file that is quarantined. Chromium then
renders the dashboard from file:// with the network unreachable by construction (the page forbids it):
the screenshot must not be blank, the DOM must hold the charts, the console must stay silent, and the
script-tag headline must be text, never a tag. Without Chromium the module is skipped, or fails in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from corpus_etl.settings import Settings

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
XSS_LINE = "<script>alert(1)</script> council approves the plan"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
XSS_ARTICLE = f"""{XSS_LINE}

The city council voted on Tuesday to approve the long-debated harbour redevelopment plan after a public
hearing that ran late into the evening. Supporters said the project would bring new jobs, better transport
links and a waterfront park to a district that has waited decades for investment. Opponents warned that the
cost estimates were optimistic and that rents in the older neighbourhoods would rise. The mayor promised a
detailed budget review before construction starts next spring.
"""
BRIEF = "Ferries run hourly.\n"
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,2000",
]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium binary; missing -> fail in CI (CI set), skip elsewhere."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    msg = f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (apt-get install chromium) to run the browser test"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="module")
def report(prefect_api: str, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Ingest seeds + crafted files with the real flow, then build the Data Docs and the dashboard."""
    from expectations.datadocs import build_data_docs
    from flows.ingest import ingest
    from warehouse.report import build_dashboard

    src = tmp_path_factory.mktemp("src")
    for p in seeds_dir.glob("*.txt"):
        shutil.copy(p, src / p.name)
    (src / "xss.txt").write_text(XSS_ARTICLE, encoding="utf-8")
    (src / "xss_copy.txt").write_text(XSS_ARTICLE, encoding="utf-8")  # the same body twice: a duplicate
    (src / "brief.txt").write_text(BRIEF, encoding="utf-8")
    wh = tmp_path_factory.mktemp("wh")
    summary = ingest([str(src)], Settings(warehouse=wh))
    out = tmp_path_factory.mktemp("report")
    db = wh / "corpus.duckdb"
    t0 = time.perf_counter()
    docs = build_data_docs(db, out)
    t1 = time.perf_counter()
    page = build_dashboard(db, out)
    t2 = time.perf_counter()
    print(f"\nbuild_data_docs: {t1 - t0:.2f}s  build_dashboard: {t2 - t1:.3f}s")
    return {"summary": summary, "db": db, "out": out, "docs": docs, "page": page, "src": src}


def _chrome(chromium: Path, tmp: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run(
        [str(chromium), *CHROME_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp)},
        check=False,
    )


def _console(stderr: str) -> list[str]:
    """Console messages (Chromium logs every one as INFO:CONSOLE, whatever its level)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _png_pixels(path: Path) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes): width, height, channels, one bytes per row."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    i = 0
    for _ in range(height):
        filt, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if filt == 1:
                line[x] = (line[x] + a) & 0xFF
            elif filt == 2:
                line[x] = (line[x] + b) & 0xFF
            elif filt == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def test_warehouse_has_the_crafted_rows(report: dict[str, Any]) -> None:
    s = report["summary"]
    assert s["n_failed"] == 0 and s["n_quarantined"] >= 1 and s["n_loaded"] >= 6


def test_html_escapes_the_script_headline(report: dict[str, Any]) -> None:
    text = report["page"].read_text(encoding="utf-8")
    assert XSS_ESCAPED in text, "the script-tag headline is not shown (escaped) anywhere on the dashboard"
    assert "<script>alert(1)</script>" not in text
    assert "<script" not in text.lower()  # the dashboard itself has no script at all
    assert "Ferries run hourly." in text  # the quarantined one-liner is among the last run's failures
    assert report["page"].stat().st_size < 2_000_000
    assert 'href="gx/index.html"' in text


def test_outlet_and_title_shares_per_run_are_the_warehouse_counts(report: dict[str, Any]) -> None:
    """The per-run table of articles without outlet or title shows what a direct count over `articles` gives,
    and the summary card repeats the last loading run's share."""
    import duckdb

    con = duckdb.connect(str(report["db"]), read_only=True)
    try:
        counts = con.execute(
            "SELECT run_id, count(*), count(*) FILTER (WHERE outlet_source = 'none'), "
            "count(*) FILTER (WHERE title IS NULL) FROM articles WHERE kind = 'article' GROUP BY run_id"
        ).fetchall()
    finally:
        con.close()
    assert counts, "the ingest loaded no article"
    text = report["page"].read_text(encoding="utf-8")
    for run_id, n, none, untitled in counts:
        assert 0 < none < n, (none, n)  # seeds: some pages name their outlet, some do not
        m = re.search(rf'<tr data-run="{re.escape(run_id)}">(.*?)</tr>', text)
        assert m, f"run {run_id} has no row in the outlet/title table"
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(1))]
        assert cells[2:] == [
            f"{n:,}",
            f"{none:,}",
            f"{100 * none / n:.1f}%",
            f"{untitled:,}",
            f"{100 * untitled / n:.1f}%",
        ]
    run_id, n, none, _ = counts[0]
    assert f"{none:,} of {n:,} articles name none" in text


def test_data_docs_are_offline(report: dict[str, Any]) -> None:
    docs: Path = report["docs"]
    assert docs is not None and docs == report["out"] / "gx" / "index.html" and docs.is_file()
    pages = list(docs.parent.rglob("*.html"))
    assert len(pages) >= 3  # the index, a validation page per suite, the suite pages
    assert any("/validations/articles/" in p.as_posix() for p in pages)
    remote = re.compile(r"<(?:link|script|img)\b[^>]*(?:https?:)?//", re.IGNORECASE)
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert not remote.search(text), f"{p} still loads from the network"
        assert "<script" not in text.lower(), p


def test_chromium_renders_the_dashboard(chromium: Path, report: dict[str, Any], tmp_path: Path) -> None:
    url = report["page"].resolve().as_uri()
    # the console harness must see errors when there are some (else "no console lines" proves nothing)
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); undefinedFn();</script>")
    probe = _chrome(chromium, tmp_path, bad.as_uri(), "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert any("boom" in line for line in _console(probe.stderr)), probe.stderr[-2000:]

    dom = _chrome(chromium, tmp_path, url, "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == [], _console(dom.stderr)
    html = dom.stdout
    assert '<svg class="chart chart-volume"' in html and '<rect class="bar-loaded"' in html
    assert '<svg class="chart chart-passrate"' in html and "<circle " in html
    assert 'class="strip"' in html and 'class="hbar' in html
    for anchor in ("volume", "expectations", "quarantine", "languages", "duplicates", "sources", "failures"):
        assert f'id="{anchor}"' in html
    assert XSS_ESCAPED in html and "<script>alert(1)</script>" not in html

    png = tmp_path / "dashboard.png"
    shot = _chrome(chromium, tmp_path, url, f"--screenshot={png}")
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    assert png.stat().st_size > 30_000
    width, height, channels, rows = _png_pixels(png)
    assert (width, height) == (1400, 2000)
    colours: dict[bytes, int] = {}
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 2):
            px = row[x : x + 3]
            colours[px] = colours.get(px, 0) + 1
    total = sum(colours.values())
    assert len(colours) > 50, f"only {len(colours)} distinct colours: a blank page?"
    assert max(colours.values()) < 0.9 * total, "one colour covers 90% of the screenshot"


def test_chromium_renders_the_data_docs_offline(chromium: Path, report: dict[str, Any], tmp_path: Path) -> None:
    page = next(report["docs"].parent.glob("validations/articles/**/*.html"))
    dom = _chrome(chromium, tmp_path, page.resolve().as_uri(), "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == [], _console(dom.stderr)
    assert "corpus-etl-offline" in dom.stdout and "Expectation Validation Result" in dom.stdout


def test_data_docs_revalidate_a_bounded_sample(report: dict[str, Any], tmp_path: Path, monkeypatch) -> None:
    """The Data Docs re-validate at most MAX_ROWS records (memory and time flat in the run's size) and say so."""
    from expectations import datadocs
    from expectations.datadocs import build_data_docs

    monkeypatch.setattr(datadocs, "MAX_ROWS", 3)
    docs = build_data_docs(report["db"], tmp_path)
    assert docs is not None
    index = docs.read_text(encoding="utf-8")
    n = report["summary"]["n_records"]
    assert n > 3 and f"The run has {n:,} records; the first 3 " in index
