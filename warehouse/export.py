"""Export of the ``articles`` rows to Parquet, CSV or JSON Lines, from a read-only connection.

The rows are fetched in Arrow batches from a connection that cannot touch files (``warehouse.readonly``)
and written by this process, so ``--where`` can filter but never read or write a file itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from corpus_etl import schema

from .db import quote_ident
from .readonly import ReadConnection, check_read_only

FORMATS = ("parquet", "csv", "jsonl")
BATCH_ROWS = 10_000


class ExportError(ValueError):
    """The export cannot be done as asked (bad --where, bad output path)."""


def export_query(fmt: str, where: str | None) -> str:
    """The SELECT over ``articles`` for an export: list columns become JSON text for CSV; JSONL rows are JSON."""
    cols = []
    for f in schema.ARTICLES.schema:
        col = quote_ident(f.name)
        if fmt == "csv" and pa.types.is_list(f.type):
            cols.append(f"CAST(to_json({col}) AS VARCHAR) AS {col}")
        else:
            cols.append(col)
    inner = f"SELECT {', '.join(cols)} FROM articles"
    if where:
        inner += f" WHERE ({where})"
    inner += " ORDER BY source_path, ordinal"
    if fmt == "jsonl":
        return f"SELECT CAST(to_json(r) AS VARCHAR) AS line FROM ({inner}) AS r"
    return inner


@contextmanager
def _atomic(out: Path) -> Iterator[Path]:
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def export_articles(rc: ReadConnection, fmt: str, out: str, where: str | None = None) -> int:
    """Write the articles (optionally filtered by an SQL condition) to ``out``.

    Args:
        rc: a read connection (database or Parquet copy).
        fmt: parquet (zstd), csv (header row; list columns as JSON) or jsonl (one JSON object per line).
        out: the output file; "-" writes CSV or JSON Lines to standard output.
        where: an SQL condition on the ``articles`` columns, e.g. "language = 'fr' AND n_words > 300".

    Returns:
        The number of rows written.

    Raises:
        ExportError: an unknown format, Parquet to standard output, or a --where that is not a condition.
    """
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if out == "-" and fmt == "parquet":
        raise ExportError("Parquet cannot be written to standard output: give --out FILE")
    query = export_query(fmt, where)
    try:
        statements = rc.con.extract_statements(query)
        if len(statements) != 1:
            raise ExportError("--where must be one SQL condition, not several statements")
        check_read_only(rc.con, query)
        reader: pa.RecordBatchReader = rc.con.sql(query).to_arrow_reader(BATCH_ROWS)
    except duckdb.Error as exc:
        raise ExportError(f"bad --where: {str(exc).splitlines()[0]}") from None
    if out == "-":
        sys.stdout.flush()
        n = _write(reader, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return n
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(path) as tmp:
        if fmt == "parquet":
            n = 0
            with pq.ParquetWriter(tmp, reader.schema, compression="zstd") as w:
                for batch in reader:
                    w.write_batch(batch)
                    n += batch.num_rows
            return n
        with tmp.open("wb") as fh:
            return _write(reader, fmt, fh)


def _write(reader: pa.RecordBatchReader, fmt: str, sink: IO[bytes]) -> int:
    """Write CSV (with a header row) or JSON Lines to a binary file."""
    n = 0
    if fmt == "jsonl":
        for batch in reader:
            sink.write("".join(line + "\n" for line in batch.column(0).to_pylist()).encode("utf-8"))
            n += batch.num_rows
        return n
    with pacsv.CSVWriter(sink, reader.schema) as w:
        for batch in reader:
            w.write_batch(batch)
            n += batch.num_rows
    return n
