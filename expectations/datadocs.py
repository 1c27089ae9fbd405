"""Great Expectations Data Docs of the last validated run, made to render without the network.

The warehouse keeps every expectation result (``dq_results``) but no GX artefacts, so this module
re-validates the rows of the last run that validated data, as they stand in the warehouse (its records
in ``articles`` and ``quarantine``, the source files it processed), with the project's suites
(``expectations.validate.Validator``: the very suites and severities of the flow, in an ephemeral GX
context), and has GX build a Data Docs site for those results in a temporary directory on the local
filesystem (``context.add_data_docs_site`` + ``context.build_data_docs``).

GX's pages load Bootstrap, jQuery, Font Awesome, Vega and its logo from CDNs. They are made offline here:
every ``<script>`` (external, and the inline ones that only drive jQuery widgets) and every remote
``<link>`` is removed, remote images and CSS ``url()`` are dropped, and a small local stylesheet that
covers the Bootstrap classes the pages use (and stands in for the Font Awesome icons) is inlined. GX's
index page builds its tables with JavaScript, so it is replaced by a static index. The result is copied
to ``out_dir/gx/`` (swapped in by renames) with a ``manifest.json`` the dashboard reads to link into it.

GX is imported only inside :func:`build_data_docs` (the import takes seconds).
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from warehouse.db import connect_report, sql

if TYPE_CHECKING:
    import pyarrow as pa

SITE_NAME = "corpus_etl_offline"
# Records re-validated for the Data Docs at most (the first ones in file order; the index says when cut).
# The run itself validated every batch (dq_results, the dashboard); the docs show GX's view of a sample, and
# re-validating all of a large run would hold it whole in memory at the end of the run (171,000 records of
# the 200 MB benchmark: ~1 GB of pandas in the flow process and tens of seconds).
MAX_ROWS = 5_000

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_IMG_REMOTE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.IGNORECASE | re.DOTALL)
_CSS_REMOTE_URL = re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)", re.IGNORECASE)
_REMOTE_IN_TAG = re.compile(
    r"<(?:link|script|img|iframe|source|video|audio|embed|object)\b[^>]*(?:href|src|data)\s*=\s*[\"']?\s*"
    r"(?:https?:)?//",
    re.IGNORECASE,
)

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_EVENT_ATTR = re.compile(r"""\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_META_REFRESH = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?\s*refresh[^>]*>", re.IGNORECASE)
# The pages run no script (make_offline removes GX's): forbid any, and any fetch, whatever the data holds.
_CSP_META = (
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'\">"
)

# A small stand-in for the parts of Bootstrap 4 and Font Awesome the GX pages use.
OFFLINE_CSS = """
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"Noto Sans","Liberation Sans","DejaVu Sans",sans-serif;color:#1d2533;background:#fff}
a{color:#2f62a8;text-decoration:none}a:hover{text-decoration:underline}
h1,h2,h3,h4,h5,h6,.h1,.h2,.h3,.h4,.h5,.h6{margin:.4em 0 .5em;font-weight:600;line-height:1.25}
h1,.h1{font-size:1.7rem}h2,.h2{font-size:1.4rem}h3,.h3{font-size:1.2rem}h4,.h4{font-size:1.05rem}
h5,.h5,h6,.h6{font-size:.95rem}
p{margin:0 0 .8em}ul{margin:0 0 .8em}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.88em}
pre{white-space:pre-wrap;background:#f4f6f9;padding:.5em .75em;border-radius:6px}
.container,.container-fluid{width:100%;padding-left:15px;padding-right:15px;margin:0 auto}
.row{display:flex;flex-wrap:wrap;margin-left:-15px;margin-right:-15px}
[class*="col-"]{position:relative;width:100%;padding-left:15px;padding-right:15px;min-width:0}
.col-12{flex:0 0 100%;max-width:100%}.col-6{flex:0 0 50%;max-width:50%}.col-4{flex:0 0 33.33%;max-width:33.33%}
.d-none{display:none!important}.d-flex{display:flex!important}.d-block{display:block!important}
.d-inline-block{display:inline-block!important}.float-left{float:left}.float-right{float:right}
@media (min-width:768px){
.col-md-2{flex:0 0 16.67%;max-width:16.67%}.col-md-3{flex:0 0 25%;max-width:25%}
.col-md-4{flex:0 0 33.33%;max-width:33.33%}.col-md-6{flex:0 0 50%;max-width:50%}
.col-md-8{flex:0 0 66.67%;max-width:66.67%}.col-md-9{flex:0 0 75%;max-width:75%}
.col-md-10{flex:0 0 83.33%;max-width:83.33%}.col-md-12{flex:0 0 100%;max-width:100%}
.d-md-inline-flex{display:inline-flex!important}.d-md-block{display:block!important}}
@media (min-width:992px){
.col-lg-2{flex:0 0 16.67%;max-width:16.67%}.col-lg-10{flex:0 0 83.33%;max-width:83.33%}}
.align-items-center{align-items:center}.h-100{height:100%}.w-100{width:100%}
.m-0{margin:0!important}.mt-0{margin-top:0!important}.mb-0{margin-bottom:0!important}
.mr-0{margin-right:0!important}.ml-0{margin-left:0!important}.mr-auto{margin-right:auto}
.mb-1{margin-bottom:.25rem}.mt-1{margin-top:.25rem}.ml-1{margin-left:.25rem}.mr-1{margin-right:.25rem}
.mb-2{margin-bottom:.5rem}.mt-2{margin-top:.5rem}.ml-2{margin-left:.5rem}.mr-2{margin-right:.5rem}
.m-2{margin:.5rem}.mb-3{margin-bottom:1rem}.mt-3{margin-top:1rem}.mb-4{margin-bottom:1.5rem}
.p-0{padding:0!important}.px-0{padding-left:0!important;padding-right:0!important}
.pt-0{padding-top:0!important}.pb-0{padding-bottom:0!important}.p-1{padding:.25rem}.p-2{padding:.5rem}
.pb-1{padding-bottom:.25rem}.pt-4{padding-top:1.5rem}.pb-4{padding-bottom:1.5rem}.pr-3{padding-right:1rem}
.pl-5{padding-left:2rem}.pr-5{padding-right:2rem}
.text-success{color:#2f8a4f!important}.text-danger{color:#c23b4e!important}
.text-warning{color:#b7791f!important}.text-muted{color:#667085!important}
.bg-light{background:#f6f7f9!important}.rounded{border-radius:6px}.border-bottom{border-bottom:1px solid #e4e7ec}
.table{width:100%;margin-bottom:1rem;border-collapse:collapse}
.table th,.table td{padding:.45rem .6rem;border-top:1px solid #e4e7ec;vertical-align:top;text-align:left}
.table thead th{border-bottom:2px solid #d5dae1;font-size:.85em;color:#475467}
.table-sm th,.table-sm td{padding:.3rem .5rem}.table-responsive{display:block;width:100%;overflow-x:auto}
.table-bordered,.table-bordered th,.table-bordered td{border:1px solid #e4e7ec}
.alert{padding:.6rem 1rem;margin-bottom:1rem;border:1px solid transparent;border-radius:6px}
.alert-secondary{background:#eef1f5;border-color:#dde2e9}.alert-danger{background:#fbe4e7;border-color:#f3c2ca}
.alert-success{background:#e3f4e8;border-color:#bfe3ca}.alert-warning{background:#fdf1d8;border-color:#f3dca8}
.card{border:1px solid #e4e7ec;border-radius:8px;margin-bottom:1rem;background:#fff}
.card-header{padding:.6rem 1rem;background:#f6f7f9;border-bottom:1px solid #e4e7ec;border-radius:8px 8px 0 0}
.card-body{padding:.8rem 1rem}
.badge{display:inline-block;padding:.15em .5em;font-size:.8em;font-weight:600;border-radius:999px;
background:#eef1f5;color:#344054;margin:1px}
.badge-secondary{background:#e4e7ec;color:#344054}.badge-info{background:#e3edfa;color:#2b5a9b}
.badge-danger{background:#fbe4e7;color:#a32639}.badge-success{background:#e3f4e8;color:#23693c}
.collapse{display:block}.modal,.modal-backdrop,.tooltip,.popover{display:none!important}
button,.btn,.btn-group,.btn-group-toggle{display:none!important}a.btn{display:inline-block!important}
.nav{display:flex;flex-wrap:wrap;padding-left:0;margin:0;list-style:none}
.nav-link{display:block;padding:.3rem .7rem}.nav-pills .nav-link.active{background:#2f62a8;color:#fff;
border-radius:6px}
body>.navbar{display:flex;align-items:center;padding:.4rem 1.2rem;background:#19212f;color:#e9edf3}
body>.navbar a{color:#e9edf3}.sticky-top{position:sticky;top:0;z-index:10}
.ge-navigation-sidebar-container{display:block;padding:.25rem}.ge-navigation-sidebar-link{padding:.15rem .5rem}
.breadcrumb{display:flex;flex-wrap:wrap;list-style:none;padding:.3rem .8rem;margin:0;border-radius:6px;
background:#273245!important}
.breadcrumb-item+.breadcrumb-item::before{content:"/";padding:0 .5rem;color:#8d99ad}
.breadcrumb-item.active{color:#c6d0de}
.sticky{position:sticky;top:70px}.sticky .card:not(.d-md-block){display:none}
footer,#ge-cta-footer,.ge-walkthrough-modal{display:none!important}
.fas,.fa,.far{font-style:normal;font-family:inherit}
.fa-check-circle::before{content:"\\2714"}.fa-check::before{content:"\\2713"}
.fa-times::before,.fa-times-circle::before{content:"\\2718"}
.fa-exclamation-triangle::before{content:"\\26A0"}.fa-question-circle::before{content:"?"}
.fa-info-circle::before{content:"\\24D8"}.fa-external-link-alt::before{content:"\\2197"}
.gx-brand{font-weight:650;font-size:1.05rem;letter-spacing:.01em;color:#fff}
.gx-brand small{font-weight:400;color:#9aa6b8;margin-left:.5rem}
.show-scrollbars{overflow:auto}
"""

_INDEX_CSS = """
.wrap{max-width:1100px;margin:0 auto;padding:1.2rem 1.5rem 2rem}
.pill{display:inline-block;padding:.1em .6em;border-radius:999px;font-size:.85em;font-weight:600}
.ok{background:#e3f4e8;color:#23693c}.bad{background:#fbe4e7;color:#a32639}
.muted{color:#667085}.note{background:#fff8e6;border:1px solid #f3dfa8;border-radius:8px;padding:.5rem .8rem}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
"""


def _query(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql(f"report/{name}"), list(params))
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _arrow(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()) -> pa.Table:
    """Run a report query and return its whole result as an Arrow table."""
    import pyarrow as pa  # lazy: pyarrow stays off the unchanged-rerun path

    rel = con.sql(sql(f"report/{name}"), params=list(params))
    fetch = getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table  # the name before DuckDB 1.4
    table = fetch()
    return table if isinstance(table, pa.Table) else table.read_all()


@contextmanager
def _quiet() -> Iterator[None]:
    """No GX progress bars (tqdm) and no GX log noise while building; the environment is restored after."""
    saved = {k: os.environ.get(k) for k in ("TQDM_DISABLE", "GX_ANALYTICS_ENABLED")}
    os.environ["TQDM_DISABLE"] = "1"
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _escaped(value: Any) -> Any:
    """``value`` with every string in it HTML-escaped (lists and dicts walked)."""
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _escape_stored_results(context: Any) -> None:
    """HTML-escape the data in the stored validation results before GX renders them.

    GX puts unexpected values (``partial_unexpected_list``, ``partial_unexpected_counts``, observed
    values) into the Data Docs tables as raw HTML: a title holding ``<img onerror=...>`` would run in the
    reader's browser. The stored results are those of this ephemeral context only.
    """
    store = context.validation_results_store
    for key in store.list_keys():
        res = store.get(key)
        for r in res.results:
            if r.result:
                r.result = _escaped(dict(r.result))
        store.set(key, res)


def make_offline(page: str, extra_css: str = "") -> str:
    """Strip a GX Data Docs page of everything it would fetch from the network, and inline a local stylesheet.

    Removes every ``<script>`` (GX's inline scripts only drive the jQuery/Bootstrap widgets that are gone
    too), every ``<link>`` to a remote (or any favicon) resource, remote images and CSS ``url()``s, then
    adds :data:`OFFLINE_CSS` (and ``extra_css``) at the end of ``<head>``.
    """
    page = _SCRIPT.sub("", page)

    def link(m: re.Match[str]) -> str:
        tag = m.group(0)
        if re.search(r"href\s*=\s*[\"']?\s*(?:https?:)?//", tag, re.IGNORECASE) or re.search(
            r"rel\s*=\s*[\"']?[^\"'>]*icon", tag, re.IGNORECASE
        ):
            return ""
        return tag

    page = _LINK.sub(link, page)
    page = _IMG_REMOTE.sub(
        '<span class="gx-brand">Great Expectations<small>Data Docs · offline copy</small></span>', page
    )
    page = _CSS_REMOTE_URL.sub("none", page)
    page = _META_REFRESH.sub("", page)
    # GX's inline handlers (onclick="showAllValidations()") drive the widgets removed with the scripts;
    # the policy below would refuse them anyway.
    page = _TAG.sub(lambda m: _EVENT_ATTR.sub("", m.group(0)), page)
    style = f'<style id="corpus-etl-offline">{OFFLINE_CSS}{extra_css}</style>'
    if re.search(r"<head\b[^>]*>", page, re.IGNORECASE):
        page = re.sub(r"<head\b[^>]*>", lambda m: m.group(0) + _CSP_META, page, count=1, flags=re.IGNORECASE)
    else:
        page = _CSP_META + page
    if re.search(r"</head\s*>", page, re.IGNORECASE):
        page = re.sub(r"</head\s*>", lambda _m: style + "</head>", page, count=1, flags=re.IGNORECASE)
    else:
        page = style + page
    return page


def remote_references(page: str) -> list[str]:
    """Tags of ``page`` that would still load something over the network (should be none)."""
    return [m.group(0) for m in _REMOTE_IN_TAG.finditer(page)]


def _index_page(manifest: dict[str, Any], pages: dict[str, str], suites: dict[str, str]) -> str:
    """A static index of the site (GX's own index needs JavaScript to show anything)."""
    e = html.escape
    rows = []
    for suite, rel in sorted(pages.items()):
        st = manifest["statistics"].get(suite, {})
        ok = bool(manifest["success"].get(suite))
        rows.append(
            f"<tr><td><a href='{e(rel)}'>{e(suite)}</a></td>"
            f"<td><span class='pill {'ok' if ok else 'bad'}'>{'passed' if ok else 'failed'}</span></td>"
            f"<td class='num'>{e(str(st.get('successful_expectations', '')))} / "
            f"{e(str(st.get('evaluated_expectations', '')))}</td>"
            f"<td class='num'>{e(str(manifest['rows'].get(suite, '')))}</td>"
            f"<td><a href='{e(suites.get(suite, ''))}'>expectation suite</a></td></tr>"
        )
    cut = ""
    if manifest.get("truncated"):
        cut = (
            f"<p class='note'>The run has {manifest['records_total']:,} records; the first {MAX_ROWS:,} "
            "(in file order) were re-validated here; every record was validated by the run (see the dashboard).</p>"
        )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{_CSP_META}"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Data Docs · run {e(manifest['run_id'])}</title>"
        f"<style>{OFFLINE_CSS}{_INDEX_CSS}</style></head><body>"
        "<nav class='navbar'><span class='gx-brand'>Great Expectations<small>Data Docs · offline copy"
        "</small></span></nav><div class='wrap'>"
        f"<h1>Validation of run <code>{e(manifest['run_id'])}</code></h1>"
        f"<p class='muted'>Run started {e(manifest['run_started'])} UTC. Its rows, as they stand in the "
        f"warehouse <code>{e(manifest['warehouse'])}</code>, re-validated with the project's suites on "
        f"{e(manifest['generated_at'])} UTC (Great Expectations {e(manifest['gx_version'])}). The flow's own "
        "results of every batch are in <code>dq_results</code>.</p>"
        f"{cut}"
        "<table class='table'><thead><tr><th>suite</th><th>result</th><th class='num'>expectations passed</th>"
        f"<th class='num'>rows</th><th>suite page</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<p><a href='../index.html'>← data-quality dashboard</a></p>"
        "</div></body></html>\n"
    )


def _swap_in(src: Path, dest: Path) -> None:
    """Copy ``src`` beside ``dest`` and rename it into place (the old copy is removed after)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    tmp = dest.parent / f".{dest.name}.new-{tag}"
    old = dest.parent / f".{dest.name}.old-{tag}"
    shutil.copytree(src, tmp)
    try:
        if dest.exists():
            os.replace(dest, old)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not dest.exists():
            os.replace(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def build_data_docs(db_path: Path, out_dir: Path, memory_limit: str | None = None) -> Path | None:
    """Build offline GX Data Docs of the last validated run into ``out_dir/gx/``.

    Args:
        db_path: the warehouse's DuckDB file (opened read-only, closed before GX runs).
        out_dir: the report directory; the site goes to ``out_dir/gx/`` (replaced as a whole).

    Returns:
        ``out_dir/gx/index.html``, or None when no run has validated data (or its rows are all gone).
    """
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.is_file():
        raise FileNotFoundError(f"no warehouse database at {db_path}")
    con = connect_report(db_path, memory_limit)
    try:
        runs = _query(con, "last_validated_run")
        if not runs:
            return None
        run = runs[0]
        rid = str(run["run_id"])
        total = int(_query(con, "docs_record_count", [rid, rid])[0]["n"] or 0)
        records = _arrow(con, "docs_records", [rid, rid, MAX_ROWS])
        sources = _arrow(con, "docs_sources", [rid, rid])
        chars = {
            str(r["source_id"]): int(r["n_chars"]) if r["n_chars"] is not None else -1
            for r in _query(con, "docs_source_chars", [rid, rid])
        }
    finally:
        con.close()
    if records.num_rows == 0 and sources.num_rows == 0:
        return None
    started = datetime.fromtimestamp(float(run["started_epoch"]), UTC)

    with _quiet(), tempfile.TemporaryDirectory(prefix="corpus-etl-gx-") as tmp:
        import great_expectations as gx  # lazy: GX costs ~4 s, only when Data Docs are built
        from great_expectations.core.run_identifier import RunIdentifier  # lazy: as above

        from .validate import Validator, with_check_columns  # lazy: pyarrow, numpy stay off the unchanged-rerun path

        validator = Validator()
        site = Path(tmp) / "site"
        validator.context.add_data_docs_site(
            SITE_NAME,
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        batches = {"articles": with_check_columns(records, chars) if records.num_rows else records, "sources": sources}
        manifest: dict[str, Any] = {
            "run_id": rid,
            "run_started": run["started"],
            "warehouse": str(db_path.resolve()),
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "gx_version": gx.__version__,
            "records_total": total,
            "truncated": total > records.num_rows,
            "rows": {},
            "success": {},
            "statistics": {},
            "validations": {},
            "suites": {},
        }
        for suite, table in batches.items():
            if table.num_rows == 0:
                continue
            result = validator.definitions[suite].run(
                batch_parameters={"dataframe": table.to_pandas()},
                result_format={"result_format": "SUMMARY"},
                run_id=RunIdentifier(run_name=f"run-{rid}", run_time=started),
            )
            manifest["rows"][suite] = table.num_rows
            manifest["success"][suite] = bool(result.success)
            manifest["statistics"][suite] = {k: v for k, v in (result.statistics or {}).items() if v is not None}
        _escape_stored_results(validator.context)
        validator.context.build_data_docs(site_names=[SITE_NAME])

        shutil.rmtree(site / "static", ignore_errors=True)  # only a favicon, logos and fonts nothing offline uses
        (site / "index.html").unlink(missing_ok=True)
        for page in site.rglob("*.html"):
            text = make_offline(page.read_text(encoding="utf-8"))
            left = remote_references(text)
            if left:
                raise RuntimeError(f"{page.name} still loads {left[0]!r} from the network")
            page.write_text(text, encoding="utf-8")
            rel = page.relative_to(site).as_posix()
            if rel.startswith("validations/"):
                manifest["validations"][rel.split("/")[1]] = rel
            elif rel.startswith("expectations/"):
                manifest["suites"][page.stem] = rel
        (site / "index.html").write_text(
            _index_page(manifest, manifest["validations"], manifest["suites"]), encoding="utf-8"
        )
        (site / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        _swap_in(site, out_dir / "gx")
    return out_dir / "gx" / "index.html"
