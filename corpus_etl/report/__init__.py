"""What people look at: an offline data-quality dashboard and offline GX Data Docs built from the warehouse.

``build_dashboard`` reads the DuckDB file read-only and writes one self-contained ``index.html``;
``build_data_docs`` re-validates the last validated run's rows with the project's GX suites and writes
``gx/`` beside it (GX is imported only inside that function). Build the Data Docs first to have the
dashboard link into them.
"""

from .dashboard import build_dashboard
from .datadocs import build_data_docs

__all__ = ["build_dashboard", "build_data_docs"]
