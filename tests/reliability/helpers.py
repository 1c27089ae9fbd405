"""Shared checks of the reliability suite: warehouse invariants in SQL, runs of the flow and of the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

EXE = str(Path(sys.executable).with_name("corpus-etl"))

# Sources whose rows in the per-source tables are those of their current text: the span checks hold for
# them. A file that failed after an earlier load keeps that load's rows but its n_chars is the new one's.
_CURRENT = "s.status in ('loaded', 'skipped')"

# Each query returns the offending rows (a path or id and what is wrong); every one must return nothing.
INVARIANTS: dict[str, str] = {
    # Record spans (articles and quarantine) and removed spans between records tile [0, n_chars).
    "spans do not tile the text": f"""
        with spans as (
            select source_id, char_start, char_end from articles
            union all select source_id, char_start, char_end from quarantine
            union all select source_id, char_start, char_end from removed_spans where article_id is null
        ), ordered as (
            select *, lag(char_end, 1, 0) over (partition by source_id order by char_start, char_end) as prev_end
            from spans
        )
        select s.path, 'gap or overlap at ' || o.char_start
        from sources s join ordered o using (source_id)
        where {_CURRENT} and o.char_start <> o.prev_end
        union all
        select s.path, 'spans end at ' || coalesce((select max(char_end) from spans x
                                                    where x.source_id = s.source_id), 0)
                       || ', text has ' || s.n_chars
        from sources s
        where {_CURRENT}
          and coalesce((select max(char_end) from spans x where x.source_id = s.source_id), 0) <> s.n_chars
    """,
    # Removed spans inside a record lie inside that record's span.
    "removed span outside its record": """
        with recs as (select article_id, source_id, char_start, char_end from articles
                      union all select article_id, source_id, char_start, char_end from quarantine)
        select r.source_id, r.article_id || ' ' || r.char_start || '-' || r.char_end
        from removed_spans r left join recs a using (article_id)
        where r.article_id is not null
          and (a.article_id is null or r.source_id <> a.source_id
               or r.char_start < a.char_start or r.char_end > a.char_end)
    """,
    # A removed span holds exactly its characters.
    "removed span text has the wrong length": """
        select source_id, char_start from removed_spans
        where length(text) <> char_end - char_start or char_end <= char_start
    """,
    # Paragraphs belong to a record and lie inside its span.
    "paragraph outside its record": """
        with recs as (select article_id, char_start, char_end from articles
                      union all select article_id, char_start, char_end from quarantine)
        select p.article_id, p.position from paragraphs p left join recs r using (article_id)
        where r.article_id is null or p.char_start < r.char_start or p.char_end > r.char_end
    """,
    # A record is in articles or in quarantine, once.
    "duplicate record": """
        select article_id, count(*) from (select article_id from articles
                                          union all select article_id from quarantine)
        group by 1 having count(*) > 1
    """,
    "duplicate source": "select source_id, count(*) from sources group by 1 having count(*) > 1",
    # Every row of a per-source table belongs to a known source whose current load it is.
    "rows of an unknown or never-loaded source": """
        select t.source_id, t.what from (
            select source_id, 'articles' as what from articles
            union all select source_id, 'quarantine' from quarantine
            union all select source_id, 'removed_spans' from removed_spans
            union all select source_id, 'paragraphs' from paragraphs
        ) t left join sources s using (source_id)
        where s.source_id is null or s.loaded_run_id is null
    """,
    # The per-source counts agree with the rows.
    "source counts disagree with the rows": """
        select s.path, s.n_articles || '/' || s.n_quarantined || '/' || s.n_removed_spans
        from sources s
        where s.loaded_run_id is not null and (
            s.n_articles <> (select count(*) from articles a where a.source_id = s.source_id)
            or s.n_quarantined <> (select count(*) from quarantine q where q.source_id = s.source_id)
            or s.n_removed_spans <> (select count(*) from removed_spans r where r.source_id = s.source_id))
    """,
    # A failed source says why; a loaded one has the hash of what was loaded.
    "failed without a reason": "select path, status from sources where status = 'failed' and coalesce(error, '') = ''",
    "loaded without a hash": "select path, status from sources where status = 'loaded' and sha256 is null",
    "unknown status": "select path, status from sources where status not in ('loaded', 'skipped', 'failed', 'deleted')",
}


def connect_ro(wh: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)


def rows(wh: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run a query on a read-only connection to the warehouse (closed before returning)."""
    con = connect_ro(wh)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def warehouse_problems(wh: Path) -> list[str]:
    """Every broken invariant of the warehouse, as 'what: offending rows' (empty when all hold)."""
    con = connect_ro(wh)
    try:
        out = []
        for what, sql in INVARIANTS.items():
            bad = con.execute(sql).fetchall()
            if bad:
                out.append(f"{what}: {bad[:5]}")
        return out
    finally:
        con.close()


def parquet_problems(wh: Path) -> list[str]:
    """Whether the Parquet copy is complete, readable, and the same rows as ``articles``."""
    base = wh / "parquet" / "articles"
    if not base.is_dir():
        return [f"{base} is missing"]
    files = sorted(base.rglob("*"))
    out = [f"not a finished Parquet file: {f}" for f in files if f.is_file() and f.read_bytes()[-4:] != b"PAR1"]
    out += [f"unexpected partition {d.name}" for d in base.iterdir() if not d.name.startswith("language=")]
    con = duckdb.connect()
    try:
        glob = str(base / "**" / "*.parquet")
        got = (
            con.execute(
                "select article_id from read_parquet(?, hive_partitioning = true) order by 1", [glob]
            ).fetchall()
            if any(f.suffix == ".parquet" for f in files)
            else []
        )
    finally:
        con.close()
    want = rows(wh, "select article_id from articles order by 1")
    if got != want:
        out.append(f"Parquet holds {len(got)} rows, articles {len(want)}")
    return out


def run_flow(sources: list[Path | str], wh: Path, **settings: Any) -> dict[str, Any]:
    """The real flow, in this process (the session's Prefect test server must be running)."""
    from corpus_etl.settings import Settings
    from flows.ingest import ingest

    return ingest([str(s) for s in sources], Settings(warehouse=wh, **settings))


def cli_env(api: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "PREFECT_API_URL": api, **extra}


def cli(
    *args: str, api: str, check: bool = True, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``corpus-etl`` as a user does, against the session's Prefect server."""
    proc = subprocess.run(
        [EXE, *args], capture_output=True, text=True, env=cli_env(api, **(env or {})), timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"corpus-etl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def cli_popen(*args: str, api: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``corpus-etl`` in its own process group (so that a test can kill it and its workers)."""
    return subprocess.Popen(
        [EXE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(api, **(env or {})),
        start_new_session=True,
    )


def tree(root: Path) -> set[str]:
    """Every path under ``root`` (relative), for checking what a run created."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}
