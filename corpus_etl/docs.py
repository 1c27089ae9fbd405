"""Documentation generated from the schema module (the README's output contract)."""

from __future__ import annotations

from .schema import TABLES


def contract_markdown() -> str:
    """Markdown tables describing every warehouse table and column (pasted into README.md)."""
    from warehouse.db import duckdb_type

    out: list[str] = []
    for t in TABLES:
        out += [f"#### `{t.name}`", "", t.description, "", "| column | type | description |", "|---|---|---|"]
        for f in t.schema:
            typ = duckdb_type(f.type) + ("" if f.nullable else " NOT NULL")
            desc = t.column_description(f.name).replace("|", "\\|")
            out.append(f"| `{f.name}` | {typ} | {desc} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":  # python -m corpus_etl.docs
    print(contract_markdown(), end="")
