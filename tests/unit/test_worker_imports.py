"""A batch worker imports only the core: not datasketch (MinHash is computed with numpy), nor the scipy it
would pull in, nor GX or Prefect, nor pandas (pyarrow would import it to check Python lists for pandas
types: the pool's initializer ``warm_worker`` keeps it out).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import SEEDS, need_shared

HEAVY = ("datasketch", "scipy", "great_expectations", "prefect", "pandas")

SCRIPT = """
import json, sys
from datetime import UTC, datetime
from corpus_etl.discover import stat_file
from corpus_etl.pipeline import process_batch, warm_worker
from corpus_etl.settings import Settings
warm_worker()  # what the flow's process pool runs first in every worker
files = [stat_file(p) for p in sys.argv[2:]]
settings = Settings(warehouse=sys.argv[1]).resolved()
out = process_batch(files, 0, settings, "imports", datetime(2026, 1, 1, tzinfo=UTC), sys.argv[1] + "/staging")
print(json.dumps({"records": out.n_records, "modules": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def test_a_worker_process_imports_no_datasketch_scipy_or_pandas(tmp_path):
    seeds = sorted(str(p) for p in need_shared(SEEDS).iterdir() if p.is_file())
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), *seeds], capture_output=True, text=True, check=True, timeout=120
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["records"] > 0  # the sample was processed (signatures included)
    assert not set(HEAVY) & set(got["modules"]), sorted(set(HEAVY) & set(got["modules"]))
    sigs = list((tmp_path / "staging").glob("batch-*.index.minhash_signatures.parquet"))
    assert sigs
