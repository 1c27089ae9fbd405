#!/usr/bin/env bash
# Install the DuckDB 1.x clients (PyPI duckdb-cli and duckdb 1.5, pinned with hashes in
# scripts/duckdb1x-requirements.txt) into their own small venv, .tools/duckdb1x/, for the test that opens the
# warehouse with them (tests/e2e/test_duckdb_clients.py). A no-op when they are there; needs PyPI otherwise.
# Prints the CLI's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
UV=.tools/bin/uv
export UV_PYTHON_DOWNLOADS=never
ENV=.tools/duckdb1x
REQ=scripts/duckdb1x-requirements.txt
STAMP="$ENV/.installed"

if [[ -x "$ENV/bin/duckdb" && -f "$STAMP" && "$STAMP" -nt "$REQ" ]]; then
  echo "$ENV/bin/duckdb"
  exit 0
fi
if [[ ! -x "$UV" ]]; then
  echo "ensure_duckdb1x: $UV is missing; run 'make install' first" >&2
  exit 1
fi
rm -rf "$ENV"
"$UV" venv --quiet --python "$PYTHON" "$ENV" >&2
"$UV" pip install --quiet --python "$ENV/bin/python" --require-hashes --only-binary :all: -r "$REQ" >&2
"$ENV/bin/duckdb" --version >&2
touch "$STAMP"
echo "$ENV/bin/duckdb"
