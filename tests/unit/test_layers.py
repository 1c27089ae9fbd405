"""The import contract of the layers (issue 20), checked statically over every module's AST (``make lint`` runs it).

From the bottom up:

- ``corpus_etl`` (the core: reading, decoding, extraction, normalisation, language, analytics algorithms,
  schema, settings) imports no DuckDB, Prefect or Great Expectations and none of the packages above it;
- ``warehouse`` (SQL, loading, export, the reports that read the database) imports no Prefect or GX, nor the
  GX adapter's modules (it reads the suites' JSON through the ``expectations`` package itself);
- ``expectations`` (the suites and the GX adapter: validation, Data Docs, quarantine replay) imports no Prefect;
- ``tasks`` (thin ``@task`` wrappers of the core's batch processing) import no DuckDB, GX, ``warehouse``,
  ``expectations`` or flow;
- ``flows`` (wiring) import no DuckDB or GX directly;
- ``corpus_etl_cli`` (the console script) sits on top and may import everything; nothing imports it;
- ``corpora`` (corpora read from ../shared, and the inputs built from them) is shared by ``eval`` and ``bench``,
  which do not import each other;
- inside ``eval`` and ``bench`` each tool (``eval.run``, ``eval.realistic``, ``bench.run`` with ``bench.peers``)
  is split into what it measures and what it reports: ``eval.metrics`` and every tool's ``measure`` are pure (no
  DuckDB, Prefect or GX, no layer above the core, none of the tool's runners or its report), and a ``report``
  renders results without running anything (none of the tool's runners or its entry).

``flows`` and ``tasks`` keep no state between runs in their modules: no ``global`` statement, and no function
changes a module-level object (``NAME[k] = v``, ``NAME.append(...)``, ``NAME.setdefault(...)``, ...); what a run
needs travels in its ``RunContext`` (the registries keyed by run id that ``tasks/ingest.py`` once kept).

An import inside a function says why it is not at the top of its module, in a trailing comment on its first line:
``# lazy: <what it costs, which path it stays off>`` or ``# cycle: <module> imports this module``
(``LOCAL_IMPORTS_SAY_WHY``); every other import is at the top, where the dependency graph shows.

SQL is the warehouse's: outside ``warehouse/`` no statement is written in Python (``con.execute("SELECT ...")``);
a layer above runs the warehouse's functions or its ``.sql`` files (``warehouse.db.sql(name)``).

Every import counts: top-level, function-local, under ``TYPE_CHECKING``, relative (resolved), and
``importlib.import_module`` / ``__import__`` with a literal name. ``from pkg import name`` counts as an
import of ``pkg.name`` when that is a module of the repository. A violation prints as
``module -> imported name (path:line)``; ``python tests/unit/test_layers.py`` prints them all.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

EXTERNAL_HEAVY = ("duckdb", "prefect", "prefect_dask", "great_expectations")
NO_PREFECT = ("prefect", "prefect_dask")
TOP = ("corpus_etl_cli", "corpora", "eval", "bench")  # nothing in the product imports these
ABOVE_CORE = ("warehouse", "expectations", "tasks", "flows", "corpus_etl_cli", "corpora", "eval", "bench")
# the modules of a tool that run things (the product, a process pool, a subprocess) and its entry
TOOL_RUNNERS = {
    "eval.run": ("eval.run.sections", "eval.run.__main__"),
    "eval.realistic": ("eval.realistic.sections", "eval.realistic.__main__"),
    "bench.run": (
        "bench.run.sections",
        "bench.run.floors",
        "bench.run.product",
        "bench.run.timing",
        "bench.run.__main__",
        "bench.peers.sections",
        "bench.peers.runners",
        "bench.peers.__main__",
    ),
}


@dataclass(frozen=True)
class Rule:
    """``package`` and its submodules must not import any of ``forbidden``: a name forbids the package and its
    submodules; a name ending in ``.*`` forbids only the submodules (the package's own ``__init__`` is allowed)."""

    package: str
    forbidden: tuple[str, ...]


RULES = (
    Rule("corpus_etl", (*EXTERNAL_HEAVY, *ABOVE_CORE)),
    Rule("warehouse", (*NO_PREFECT, "great_expectations", "expectations.*", "tasks", "flows", *TOP)),
    Rule("expectations", (*NO_PREFECT, "tasks", "flows", *TOP)),
    Rule(
        "tasks",
        (
            "duckdb",
            "great_expectations",
            "warehouse",
            "expectations",
            "flows",
            "corpus_etl_cli",
            "corpora",
            "eval",
            "bench",
        ),
    ),
    Rule("flows", ("duckdb", "great_expectations", "corpus_etl_cli", "corpora", "eval", "bench")),
    Rule(
        "corpora", (*EXTERNAL_HEAVY, "warehouse", "expectations", "tasks", "flows", "corpus_etl_cli", "eval", "bench")
    ),
    Rule("eval", ("bench", "corpus_etl_cli")),
    Rule("bench", ("eval", "corpus_etl_cli")),
    Rule("eval.metrics", (*EXTERNAL_HEAVY, *ABOVE_CORE[:5], "eval.run", "eval.realistic")),
    Rule("eval.run.measure", (*EXTERNAL_HEAVY, *ABOVE_CORE[:5], *TOOL_RUNNERS["eval.run"], "eval.run.report")),
    Rule(
        "eval.realistic.measure",
        (*EXTERNAL_HEAVY, *ABOVE_CORE[:5], *TOOL_RUNNERS["eval.realistic"], "eval.realistic.report"),
    ),
    Rule("bench.run.measure", (*EXTERNAL_HEAVY, *ABOVE_CORE[:5], *TOOL_RUNNERS["bench.run"], "bench.run.report")),
    Rule("eval.run.report", (*EXTERNAL_HEAVY, *TOOL_RUNNERS["eval.run"])),
    Rule("eval.realistic.report", (*EXTERNAL_HEAVY, *TOOL_RUNNERS["eval.realistic"])),
    Rule("bench.run.report", (*EXTERNAL_HEAVY, *TOOL_RUNNERS["bench.run"])),
    Rule("bench.peers.measure", (*EXTERNAL_HEAVY, *ABOVE_CORE[:5], *TOOL_RUNNERS["bench.run"], "bench.peers.report")),
    Rule("bench.peers.report", (*EXTERNAL_HEAVY, *TOOL_RUNNERS["bench.run"])),
)

# Imports that break a rule and could not be moved yet: (importing module, imported name). Keep it empty.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_local_module(root: Path, name: str) -> bool:
    p = root.joinpath(*name.split("."))
    return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()


def imported_names(root: Path, path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports, with its line: see the module doc for what counts."""
    mod = module_name(root, path)
    package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target:
                yield target, node.lineno
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                if alias.name != "*" and is_local_module(root, sub):
                    yield sub, node.lineno
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            f = node.func
            dynamic = (isinstance(f, ast.Name) and f.id in ("__import__", "import_module")) or (
                isinstance(f, ast.Attribute) and f.attr == "import_module"
            )
            if dynamic and isinstance(node.args[0].value, str):
                yield node.args[0].value, node.lineno


def breaks(name: str, forbidden: str) -> bool:
    if forbidden.endswith(".*"):
        return name.startswith(forbidden[:-1])
    return name == forbidden or name.startswith(forbidden + ".")


def rule_files(root: Path, package: str) -> list[Path]:
    """The files a rule covers: a package's modules (``a.b`` is ``a/b/``), or one module (``a/b.py``)."""
    base = root.joinpath(*package.split("."))
    return sorted(base.rglob("*.py")) if base.is_dir() else [p for p in [base.with_suffix(".py")] if p.is_file()]


def violations(root: Path = REPO, rules: tuple[Rule, ...] = RULES) -> list[str]:
    """``module -> imported name (path:line)`` for every import that breaks a rule and is not in ``ALLOWED``."""
    out: list[str] = []
    for rule in rules:
        for path in rule_files(root, rule.package):
            mod = module_name(root, path)
            for name, line in imported_names(root, path):
                if (mod, name) not in ALLOWED and any(breaks(name, f) for f in rule.forbidden):
                    out.append(f"{mod} -> {name} ({path.relative_to(root)}:{line})")
    return out


MUTATORS = frozenset(
    {"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove", "discard", "clear"}
)
STATELESS = ("flows", "tasks")


def module_state(root: Path = REPO, packages: tuple[str, ...] = STATELESS) -> list[str]:
    """``module: what (path:line)`` for every ``global`` statement in ``packages``, and every change of a
    module-level name inside a function (item or attribute assignment, a mutating method call)."""
    out: list[str] = []
    for package in packages:
        for path in rule_files(root, package):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            names = {
                t.id
                for n in tree.body
                if isinstance(n, ast.Assign | ast.AnnAssign)
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                if isinstance(t, ast.Name)
            }
            where = f"{module_name(root, path)}: %s ({path.relative_to(root)}:%d)"
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(fn):
                    if isinstance(node, ast.Global):
                        out.append(where % ("global " + ", ".join(node.names), node.lineno))
                    elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
                        if isinstance(node.value, ast.Name) and node.value.id in names:
                            out.append(where % (f"{ast.unparse(node)} changed", node.lineno))
                    elif (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in MUTATORS
                        and isinstance(node.func.value, ast.Name)
                        and node.func.value.id in names
                    ):
                        out.append(where % (f"{ast.unparse(node.func)}() called", node.lineno))
    return out


def make_package(root: Path, name: str, files: dict[str, str]) -> None:
    """A package ``name`` under ``root`` holding ``files`` (name -> text) beside an empty ``__init__.py``."""
    (root / name).mkdir()
    for file, text in {"__init__.py": "", **files}.items():
        (root / name / file).write_text(text)


def test_flows_and_tasks_keep_no_state_in_their_modules() -> None:
    found = module_state()
    assert not found, "module-level state in flows/tasks (tests/unit/test_layers.py):\n" + "\n".join(found)


def test_the_state_check_sees_a_registry(tmp_path: Path) -> None:
    """A task module that fills a dict keyed by run id, a flow that rebinds a global, and one that appends to a
    module-level list are reported; a module-level constant read by a function, and a local dict, are not."""
    task = "POOLS = {}\nLIMIT = 3\n\n\ndef register(run_id, pool):\n    POOLS[run_id] = pool\n    return LIMIT\n"
    flow = (
        "SEEN = []\nCURRENT = None\n\n\ndef start(run_id):\n    global CURRENT\n    CURRENT = run_id\n"
        "    SEEN.append(run_id)\n    own = {}\n    own[run_id] = 1\n"
    )
    make_package(tmp_path, "tasks", {"ingest.py": task})
    make_package(tmp_path, "flows", {"run.py": flow})
    assert module_state(tmp_path) == [
        "flows.run: global CURRENT (flows/run.py:6)",
        "flows.run: SEEN.append() called (flows/run.py:8)",
        "tasks.ingest: POOLS[run_id] changed (tasks/ingest.py:6)",
    ]


LOCAL_IMPORTS_SAY_WHY = ("corpus_etl", "corpus_etl_cli", "flows", "tasks", "warehouse", "expectations", "corpora")
REASONS = ("# lazy:", "# cycle:")


def unexplained_local_imports(root: Path = REPO, packages: tuple[str, ...] = LOCAL_IMPORTS_SAY_WHY) -> list[str]:
    """``path:line: statement`` of every import inside a function of ``packages`` whose first line has no
    ``# lazy:`` or ``# cycle:`` comment."""
    out: list[str] = []
    for package in packages:
        for path in rule_files(root, package):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for fn in ast.walk(ast.parse(text, str(path))):
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(fn):
                    first = lines[node.lineno - 1] if isinstance(node, ast.Import | ast.ImportFrom) else ""
                    if first and not any(r in first for r in REASONS):
                        out.append(f"{path.relative_to(root)}:{node.lineno}: {first.strip()}")
    return sorted(set(out))


def test_every_function_local_import_says_why() -> None:
    found = unexplained_local_imports()
    assert not found, "imports inside functions without '# lazy:' or '# cycle:' (move them up):\n" + "\n".join(found)


def test_the_local_import_check_sees_an_unexplained_one(tmp_path: Path) -> None:
    module = (
        "import os\n\n\ndef f():\n    import json\n    import numpy  # lazy: ~0.2 s\n"
        "    from . import (  # cycle: n imports this module\n        n,\n    )\n    from .n import g\n"
    )
    make_package(tmp_path, "corpus_etl", {"m.py": module})
    assert unexplained_local_imports(tmp_path, ("corpus_etl",)) == [
        "corpus_etl/m.py:10: from .n import g",
        "corpus_etl/m.py:5: import json",
    ]


NO_SQL = ("corpus_etl", "corpus_etl_cli", "flows", "tasks", "expectations", "corpora")
RUNS_SQL = frozenset({"execute", "executemany", "sql", "query"})


def sql_in_python(root: Path = REPO, packages: tuple[str, ...] = NO_SQL) -> list[str]:
    """``path:line: statement`` of every ``x.execute(...)`` (``executemany``, ``sql``, ``query``) in ``packages``
    whose statement is a string written there (a literal or an f-string, or one joined from them)."""
    out: list[str] = []
    for package in packages:
        for path in rule_files(root, package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in RUNS_SQL
                    and node.args
                    and any(isinstance(n, ast.Constant | ast.JoinedStr) for n in ast.walk(node.args[0]))
                    and not isinstance(node.args[0], ast.Call)
                ):
                    out.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node.args[0])[:80]}")
    return out


def test_sql_is_written_in_the_warehouse_only() -> None:
    found = sql_in_python()
    assert not found, "SQL written outside warehouse/ (put it in warehouse/sql/*.sql):\n" + "\n".join(found)


def test_the_sql_check_sees_a_statement_in_python(tmp_path: Path) -> None:
    module = (
        "def f(con, q, sql, t):\n    con.execute('SELECT 1')\n    con.execute(f'SELECT * FROM {t}')\n"
        "    con.execute(q, [1])\n    con.execute(sql('read/last_runs'), [1])\n    con.sql('SELECT 2' + q)\n"
    )
    make_package(tmp_path, "corpus_etl_cli", {"main.py": module})
    assert sql_in_python(tmp_path, ("corpus_etl_cli",)) == [
        "corpus_etl_cli/main.py:2: 'SELECT 1'",
        "corpus_etl_cli/main.py:3: f'SELECT * FROM {t}'",
        "corpus_etl_cli/main.py:6: 'SELECT 2' + q",
    ]


def test_every_layer_has_modules() -> None:
    """A renamed package would make its rule vacuous: each rule's package holds modules."""
    for rule in RULES:
        assert rule_files(REPO, rule.package), f"{rule.package} has no modules"


def test_the_layers_keep_their_import_contract() -> None:
    found = violations()
    assert not found, "imports that break the layers (tests/unit/test_layers.py):\n" + "\n".join(found)


def test_the_check_sees_local_relative_and_dynamic_imports(tmp_path: Path) -> None:
    """A core module that imports DuckDB inside a function, the warehouse through a relative import or by
    name, and a warehouse module that imports the GX adapter are all reported; the suites' package is not."""
    core, wh, ex = tmp_path / "corpus_etl", tmp_path / "warehouse", tmp_path / "expectations"
    for d in (core, wh, ex):
        d.mkdir()
        (d / "__init__.py").write_text("")
    (ex / "validate.py").write_text("")
    (core / "pure.py").write_text(
        "import re\n\n\ndef f():\n    import duckdb\n    from .. import warehouse\n"
        "    import importlib\n    importlib.import_module('warehouse.db')\n"
    )
    (wh / "ok.py").write_text("from expectations import SUITES_DIR\n")
    (wh / "bad.py").write_text("from expectations import validate\n")
    found = violations(tmp_path, RULES[:2])
    assert found == [
        "corpus_etl.pure -> duckdb (corpus_etl/pure.py:5)",
        "corpus_etl.pure -> warehouse (corpus_etl/pure.py:6)",
        "corpus_etl.pure -> warehouse.db (corpus_etl/pure.py:8)",
        "warehouse.bad -> expectations.validate (warehouse/bad.py:1)",
    ]


def test_a_rule_on_one_module_checks_that_module(tmp_path: Path) -> None:
    """A rule may name one module (``eval.metrics`` is ``eval/metrics.py``) or a subpackage's module: a pure
    measure that runs its tool's sections, or metrics that import DuckDB, are reported; the sections are not."""
    ev, run = tmp_path / "eval", tmp_path / "eval" / "run"
    run.mkdir(parents=True)
    for d in (ev, run):
        (d / "__init__.py").write_text("")
    (ev / "metrics.py").write_text("def f():\n    import duckdb\n")
    (run / "sections.py").write_text("import duckdb\n")
    (run / "measure.py").write_text("from eval.run import sections\n")
    rules = tuple(r for r in RULES if r.package in ("eval.metrics", "eval.run.measure"))
    assert len(rules) == 2
    assert violations(tmp_path, rules) == [
        "eval.metrics -> duckdb (eval/metrics.py:2)",
        "eval.run.measure -> eval.run.sections (eval/run/measure.py:1)",
    ]


if __name__ == "__main__":  # python tests/unit/test_layers.py: print the violations, exit 1 if any
    found = violations() + module_state() + unexplained_local_imports() + sql_in_python()
    print("\n".join(found) if found else "the layers keep their import contract")
    sys.exit(1 if found else 0)
