"""Validate batches with Great Expectations; turn results into quarantine verdicts and DQ history rows.

GX is imported only inside this module's functions (the import costs seconds). Suites are read from
``expectations/*.json``; each expectation's ``meta.severity`` is ``error`` (failing rows are
quarantined) or ``warning`` (recorded only). Validation runs on pandas DataFrames made from the batch's
Arrow tables: GX cannot read DuckDB tables here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from corpus_etl import schema
from corpus_etl.langid import UND, supported_languages
from corpus_etl.memory import defer_imports
from expectations import SUITE_NAMES, SUITES_DIR

# Modules GX imports at its top level for expectations and renderers the suites do not use (a KS test, the
# KL-divergence chart): imported only if something uses them (``corpus_etl.memory.defer_imports``). They
# were 75 MB of the flow process's RSS.
GX_DEFERRED = ("scipy.stats", "altair")
SEVERITIES = ("error", "warning")
_GX_SEVERITY = {"error": "critical", "warning": "warning"}
_PLACEHOLDERS = {
    "$LANGDETECT_LANGUAGES": lambda: [*supported_languages(), UND],
    "$TITLE_SOURCES": lambda: list(schema.TITLE_SOURCES),
    "$KIND_REASONS": lambda: list(schema.KIND_REASONS),
}
# Defaults of the learned bounds, used until three completed runs have history.
DEFAULT_PARAMS: dict[str, Any] = {"$LEARNED_MEAN_WORDS_MIN": 50.0, "$LEARNED_MEAN_WORDS_MAX": 5000.0}


def learned_params(history: list[float]) -> dict[str, Any]:
    """Bounds of the batch mean body length learned from recent batches: mean +- 3 sd (at least +-25 %).

    Args:
        history: mean body length (words) of recent validated batches.

    Returns:
        Values for the ``$LEARNED_*`` placeholders of the suites; the defaults with fewer than 3 values.
    """
    if len(history) < 3:
        return dict(DEFAULT_PARAMS)
    mean = statistics.fmean(history)
    spread = max(3 * statistics.pstdev(history), 0.25 * mean)
    return {
        "$LEARNED_MEAN_WORDS_MIN": round(max(mean - spread, 0.0), 1),
        "$LEARNED_MEAN_WORDS_MAX": round(mean + spread, 1),
    }


def load_suite_json(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read a suite file and resolve its placeholders (``$LANGDETECT_LANGUAGES``, ``$LEARNED_*``)."""
    values = {**DEFAULT_PARAMS, **(params or {})}
    data = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    for exp in data["expectations"]:
        sev = exp.get("meta", {}).get("severity")
        if sev not in SEVERITIES:
            raise ValueError(f"suite {name}: {exp['type']} has severity {sev!r}; use one of {SEVERITIES}")
        for key, value in list(exp["kwargs"].items()):
            if isinstance(value, str) and value in _PLACEHOLDERS:
                exp["kwargs"][key] = _PLACEHOLDERS[value]()
            elif isinstance(value, str) and value.startswith("$"):
                exp["kwargs"][key] = values[value]
    return data


_CONDITION_NAME = re.compile(r"\b([A-Za-z_]\w*)\s*(?:==|!=|<=|>=|<|>|\.)")


def suite_columns(suite: dict[str, Any]) -> frozenset[str]:
    """The columns a suite's expectations read: their ``column``/``column_A``/``column_B`` and the names
    their pandas ``row_condition`` compares."""
    cols: set[str] = set()
    for exp in suite["expectations"]:
        kw = exp["kwargs"]
        cols.update(str(kw[k]) for k in ("column", "column_A", "column_B") if k in kw)
        cols.update(_CONDITION_NAME.findall(str(kw.get("row_condition") or "")))
    return frozenset(cols)


def expectation_id(exp_type: str, kwargs: dict[str, Any]) -> str:
    """Stable id of an expectation within a suite: type, column(s) and a short hash of the kwargs."""
    cols = kwargs.get("column") or ",".join(str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs)
    digest = hashlib.sha256(json.dumps(kwargs, sort_keys=True, default=str).encode()).hexdigest()[:6]
    return f"{exp_type}:{cols}:{digest}"


@dataclass
class Verdicts:
    """The outcome of validating one batch."""

    failed: dict[int, list[str]] = field(default_factory=dict)  # row index -> failed error-level expectations
    dq_runs: list[dict[str, Any]] = field(default_factory=list)
    dq_results: list[dict[str, Any]] = field(default_factory=list)


def _json_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=str, ensure_ascii=False)[:2000]


class Validator:
    """A GX ephemeral context with the project's suites, ready to validate batches.

    Create one per run (it imports GX and builds the suites once), then call ``validate``.
    """

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        defer_imports(*GX_DEFERRED)  # before GX's import: it imports them at its top level
        import great_expectations as gx  # lazy: GX costs ~4 s, only when a suite runs
        from great_expectations.core.expectation_suite import ExpectationSuite  # lazy: as above

        for name in list(logging.root.manager.loggerDict):
            if name.startswith("great_expectations"):
                logging.getLogger(name).setLevel(logging.ERROR)
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        try:  # no progress bars in logs
            self.context.variables.progress_bars = {"globally": False}  # type: ignore[assignment]
        except Exception:  # pragma: no cover - older GX
            pass
        ds = self.context.data_sources.add_pandas("corpus_etl")
        self.definitions: dict[str, Any] = {}
        self.meta: dict[str, dict[str, dict[str, Any]]] = {}
        self.columns: dict[str, frozenset[str]] = {}
        for name in SUITE_NAMES:
            data = load_suite_json(name, params)
            self.columns[name] = suite_columns(data)
            suite = ExpectationSuite(name=name)
            metas: dict[str, dict[str, Any]] = {}
            for exp in data["expectations"]:
                cls = gx.expectations.registry.get_expectation_impl(exp["type"])
                sev = exp["meta"]["severity"]
                obj = cls(**exp["kwargs"], meta=exp["meta"], severity=_GX_SEVERITY[sev])  # type: ignore[arg-type]
                suite.add_expectation(obj)
                metas[expectation_id(exp["type"], exp["kwargs"])] = exp["meta"]
            suite = self.context.suites.add(suite)
            asset = ds.add_dataframe_asset(name)
            batch_def = asset.add_batch_definition_whole_dataframe(f"{name}_batch")
            self.definitions[name] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{name}_validation", data=batch_def, suite=suite)
            )
            self.meta[name] = metas

    def _forget_results(self) -> None:
        """Empty the context's validation results store: GX keeps every run's full result there (the
        unexpected rows included), which grew with every batch; we keep what we need as DQ rows."""
        store = self.context.validation_results_store
        for key in store.list_keys():
            store.remove_key(key)

    def validate(self, suite: str, table: pa.Table, run_id: str, batch: int) -> Verdicts:
        """Validate one batch with one suite.

        Args:
            suite: suite name ('articles' or 'sources').
            table: the batch as Arrow (plus any derived check columns the suite needs).
            run_id: the ingest run.
            batch: batch number.

        Returns:
            Row indices failing error-level expectations, with the reasons, and the DQ history rows.
        """
        out = Verdicts()
        started = datetime.now(UTC)
        if table.num_rows == 0:
            return out
        # only the columns the suite reads go to pandas (the rest would be copied for nothing; row
        # positions, which the unexpected indexes refer to, are unchanged)
        df = table.select([c for c in table.column_names if c in self.columns[suite]]).to_pandas()
        result = self.definitions[suite].run(
            batch_parameters={"dataframe": df}, result_format={"result_format": "COMPLETE"}
        )
        del df
        self._forget_results()
        metas = self.meta[suite]
        n_ok = 0
        for r in result.results:
            cfg = r.expectation_config
            kwargs = {k: v for k, v in cfg.kwargs.items() if k != "batch_id"}
            eid = expectation_id(cfg.type, kwargs)
            meta = metas.get(eid, cfg.meta or {})
            severity = meta.get("severity", "warning")
            res = r.result or {}
            success = bool(r.success)
            n_ok += success
            if not success and r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"expectation {eid} raised: {r.exception_info.get('exception_message')}")
            if not success and severity == "error":
                reason = meta.get("reason", cfg.type)
                for idx in res.get("unexpected_index_list") or []:
                    out.failed.setdefault(int(idx), []).append(f"{cfg.type}:{kwargs.get('column', '')}: {reason}")
            out.dq_results.append(
                {
                    "run_id": run_id,
                    "suite": suite,
                    "batch": batch,
                    "expectation_id": eid,
                    "expectation_type": cfg.type,
                    "column": kwargs.get("column") or kwargs.get("column_A"),
                    "severity": severity,
                    "success": success,
                    "element_count": res.get("element_count"),
                    "unexpected_count": res.get("unexpected_count"),
                    "unexpected_percent": res.get("unexpected_percent"),
                    "observed_value": _json_or_none(res.get("observed_value")),
                    "unexpected_sample": _json_or_none((res.get("partial_unexpected_list") or [])[:5]),
                }
            )
        out.dq_runs.append(
            {
                "run_id": run_id,
                "suite": suite,
                "batch": batch,
                "success": bool(result.success),
                "evaluated": len(result.results),
                "successful": n_ok,
                "started_at": started,
            }
        )
        return out


def batch_metrics(articles: pa.Table, quarantined: int) -> pa.Table:
    """One row of batch-level metrics for the 'batches' suite.

    Args:
        articles: the batch's records (before quarantine).
        quarantined: how many of them failed an error-level expectation.

    Returns:
        n_records, quarantined_share, duplicate_share (records whose body repeats an earlier one of the
        batch), und_share and mean_words.
    """
    n = articles.num_rows
    hashes = articles.column("content_hash").to_pylist()
    langs = articles.column("language").to_pylist()
    words = articles.column("n_words").to_pylist()
    row = {
        "n_records": n,
        "quarantined_share": quarantined / n if n else 0.0,
        "duplicate_share": (n - len(set(hashes))) / n if n else 0.0,
        "und_share": sum(1 for x in langs if x == UND) / n if n else 0.0,
        "mean_words": sum(words) / n if n else 0.0,
    }
    return schema.to_table(schema.BATCH_METRICS, [row])


def with_check_columns(articles: pa.Table, source_chars: dict[str, int]) -> pa.Table:
    """Add the derived columns the articles suite compares against: recomputed body hash, source length."""
    bodies = articles.column("body").to_pylist()
    hashes = [hashlib.sha256(b.encode("utf-8")).hexdigest() for b in bodies]
    chars = [source_chars.get(s, -1) for s in articles.column("source_id").to_pylist()]
    return articles.append_column("_body_sha256", pa.array(hashes, pa.string())).append_column(
        "_source_chars", pa.array(chars, pa.int64())
    )


@dataclass
class FailedSources:
    """A batch's rows after the sources suite's error-level verdicts were applied (``fail_sources``)."""

    sources: pa.Table
    tables: dict[str, pa.Table]
    quarantine: pa.Table
    newly_failed: list[str] = field(default_factory=list)  # paths of the files the suite failed


def fail_sources(
    sources: pa.Table, tables: dict[str, pa.Table], quarantine: pa.Table, failed: dict[int, list[str]]
) -> FailedSources:
    """Apply the sources suite's error-level verdicts as the articles suite's are applied to records: a file
    whose ``sources`` row fails an error-level expectation is not loaded. Its row becomes ``failed`` with the
    expectations as its reason (``failed data-quality check: <reason>; ...``) and no counts, and its rows
    leave every per-source table and the quarantine (a failed file keeps the rows of its last good load).

    Args:
        sources: the batch's ``sources`` rows, in the order they were validated.
        tables: the batch's per-source tables (each with a ``source_id`` column).
        quarantine: the batch's quarantined records.
        failed: row index of ``sources`` -> the error-level expectations the row failed (``Verdicts.failed``).

    Returns:
        The rows to load, and the paths of the files newly failed (a row already ``failed`` is given the
        suite's reasons too, but was counted as failed before).
    """
    if not failed:
        return FailedSources(sources, tables, quarantine)

    rows = sources.to_pylist()
    bad_ids: set[str] = set()
    newly: list[str] = []
    for i, reasons in sorted(failed.items()):
        row = rows[i]
        if row["status"] != "failed":
            newly.append(row["path"])
        why = "; ".join(dict.fromkeys(r.split(": ", 1)[-1] for r in reasons))
        row.update(status="failed", error=f"failed data-quality check: {why}"[:2000])
        row.update(n_articles=0, n_quarantined=0, n_removed_spans=0)
        if row["source_id"] is not None:
            bad_ids.add(row["source_id"])
    ids = pa.array(sorted(bad_ids), pa.string())

    def keep(t: pa.Table) -> pa.Table:
        return t.filter(pc.invert(pc.is_in(t.column("source_id"), value_set=ids))) if len(ids) else t

    return FailedSources(
        pa.Table.from_pylist(rows, schema=sources.schema),
        {name: keep(t) for name, t in tables.items()},
        keep(quarantine),
        newly,
    )
