"""What people look at, built from the warehouse: an offline data-quality dashboard and the DQ summary.

``build_dashboard`` reads the DuckDB file read-only and writes one self-contained ``index.html``;
``summary`` answers ``corpus-etl dq``. The offline GX Data Docs the dashboard links into are built by
``expectations.datadocs.build_data_docs`` (the GX layer); build them first to have the dashboard link into them.
"""

from .dashboard import build_dashboard

__all__ = ["build_dashboard"]
