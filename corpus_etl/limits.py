"""DuckDB's memory limits of the warehouse's steps: the defaults of ``settings.MemorySettings`` (each field
documented there, recorded with every run in ``runs.settings_json``), as plain constants for the warehouse
modules that claim them (``warehouse.db``, ``warehouse.loader``, ``warehouse.analytics``; why each value:
beside its use there). No pydantic here: a read-only command (``corpus-etl query``) imports ``warehouse.db``
without the settings model."""

from __future__ import annotations

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
