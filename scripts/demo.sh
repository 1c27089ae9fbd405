#!/usr/bin/env bash
# make demo: ingest the sample corpus into a fresh demo warehouse, then show three example queries.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WH=data/demo
rm -rf "$WH"
# The samples hold one record meant for quarantine (a data-quality error: exit 4 by default).
echo "$ corpus-etl ingest 'samples/*.txt' --warehouse $WH --fail-on files"
"$BIN/corpus-etl" ingest 'samples/*.txt' --warehouse "$WH" --fail-on files
q() {
  echo
  echo "$ corpus-etl query \"$1\" --warehouse $WH"
  "$BIN/corpus-etl" query "$1" --warehouse "$WH"
}
q "select source_path.split('/')[-1] as file, ordinal, kind, language, n_words, title from articles order by source_path, ordinal"
q "select language, count(*) as articles, sum(n_words) as words from articles where kind = 'article' group by language order by articles desc"
q "select rule, count(*) as spans, min(text) as example from removed_spans group by rule order by spans desc, rule"
echo
echo "Quarantined records (failed an error-level expectation):"
"$BIN/corpus-etl" query "select source_path.split('/')[-1] as file, title, failed_expectations from quarantine" --warehouse "$WH"
