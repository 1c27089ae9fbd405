"""Schema migrations: a warehouse written by an older corpus-etl is upgraded when a writer opens it.

``warehouse.db.ensure_schema`` (called by every run, replay and ``corpus-etl analytics``) reads the
stored version and, inside its one transaction, applies the steps of every later version here:

- ``001_base/``: version 1, the ingest tables as first released (sources ... dq_results,
  schema_version). Never applied to an existing warehouse; it is the baseline a test upgrades from.
- ``002_analytics/``: version 2 adds ``minhash_signatures``, ``lsh_buckets``, ``story_clusters``,
  ``search_docs`` and ``search_terms``. They start empty; the next ``update_analytics`` (every ingest
  run, or ``corpus-etl analytics``) indexes every article already in the warehouse.
- ``003_learned_boilerplate/``: version 3 adds ``line_hashes`` (the per-outlet line counts of the learned
  boilerplate). It starts empty: files loaded before count from their next load on.
- ``004_stories/``: version 4 adds ``story_members``, ``story_terms`` and ``story_centroids`` (the event
  stories). They start empty; the next ``update_analytics`` places every indexed article.
- ``005_collection/``: version 5 adds ``sources.collection`` (the SOURCE argument a file was loaded through);
  NULL for files loaded before, filled at a file's next load.
- ``006_source_identity/``: version 6 adds ``articles``/``quarantine`` ``outlet_source``, ``url``, ``site`` and
  ``site_source`` (``corpus_etl/identity.py``; NULL in rows loaded before, filled at a file's next load), and
  makes ``story_clusters.outlet`` the article's outlet (nullable; the folder fallback of old rows dropped);
  ``line_hashes.outlet`` (a folder) is renamed ``folder``: one meaning per column name.
- ``007_kind_reason/``: version 7 adds ``articles``/``quarantine`` ``kind_reason`` (why a 'related' record is not an
  article: ``corpus_etl/kinds.py``) and ``kind_prob`` (the record model's probability); NULL in rows loaded before,
  filled at a file's next load.

The DDL in a version's folder is frozen: one statement per file, applied in file-name order. A change
to a table of the schema module needs a new version (``NNN_name/``, e.g. ``ALTER TABLE ... ADD
COLUMN``) and ``SCHEMA_VERSION`` raised; a test checks that a migrated warehouse has exactly the
columns of a new one. The views (``warehouse/sql/views``) are not versioned: they are recreated
(with the tables' comments) whenever they, the schema module or the catalog changed since the last open
(``warehouse.db.ensure_schema``: ``schema_fingerprint``).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ..db import SCHEMA_VERSION, sql

MIGRATIONS_DIR = Path(__file__).parent
_STEP = re.compile(r"^(\d{3})_[a-z0-9_]+$")


def steps() -> dict[int, Path]:
    """Version -> the folder of its frozen DDL."""
    out: dict[int, Path] = {}
    for d in sorted(MIGRATIONS_DIR.iterdir()):
        m = _STEP.match(d.name)
        if d.is_dir() and m:
            out[int(m.group(1))] = d
    return out


def statements(version: int) -> list[str]:
    """The statements of a version's step, in order (comments kept, trailing semicolon dropped)."""
    folder = steps()[version]
    return [p.read_text(encoding="utf-8").strip().rstrip(";") for p in sorted(folder.glob("*.sql"))]


def migrate(con: duckdb.DuckDBPyConnection, found: int) -> list[int]:
    """Apply the steps of the versions after ``found`` up to ``SCHEMA_VERSION``, recording each.

    Runs inside the caller's transaction (``ensure_schema``): an upgrade is all or nothing.

    Returns:
        The versions applied.
    """
    known = steps()
    applied: list[int] = []
    for version in range(found + 1, SCHEMA_VERSION + 1):
        if version not in known:
            raise RuntimeError(f"no migration to schema version {version} in {MIGRATIONS_DIR}")
        for stmt in statements(version):
            con.execute(stmt)
        con.execute(sql("load/set_schema_version"), [version])
        applied.append(version)
    return applied


def create_baseline(con: duckdb.DuckDBPyConnection, version: int = 1) -> None:
    """Create the schema exactly as ``version`` had it (for tests and for reproducing old warehouses)."""
    for v in range(1, version + 1):
        for stmt in statements(v):
            con.execute(stmt)
        con.execute(sql("load/set_schema_version"), [v])
