"""DuckDB's memory limits of the warehouse's steps: the defaults of ``settings.MemorySettings`` (each field
documented there, recorded with every run in ``runs.settings_json``). A run's values are passed down to the steps;
these plain constants are the defaults of the warehouse modules that claim them (``warehouse.db``,
``warehouse.loader``, ``warehouse.analytics``; why each value: beside its use there). No pydantic here: a
read-only command (``corpus-etl query``) imports ``warehouse.db`` without the settings model."""

from __future__ import annotations

import re

WRITER = "256MB"
LOAD = "64MB"
EXPORT = "384MB"
EXPORT_BESIDE_ANALYTICS = "128MB"
EXPORT_AFTER_ANALYTICS = "256MB"
RUN_EXPORT = "64MB"
ANALYTICS = "256MB"
ANALYTICS_LINK = "64MB"
CHECKPOINT = "64MB"
REPORT = "128MB"

_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}


def limit_bytes(limit: str) -> int:
    """Bytes of a DuckDB memory size such as ``"256MB"`` (DuckDB's units: MB = 1000^2, MiB = 1024^2)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]I?B|B)\s*", limit.upper())
    if m is None:
        raise ValueError(f"not a memory size: {limit!r} (a number and B, KB, MB, GB, KiB, MiB or GiB)")
    return int(float(m.group(1)) * _UNITS[m.group(2)])
