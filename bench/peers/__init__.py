"""Peers in the same run (issue 21): the product and the pipelines it is compared with, on one corpus.

``python -m bench.run`` calls ``measure_peers`` once (``--peers-size`` MB, ``--peers-repeats`` repeats; ``--peers-only``
runs nothing else). The corpus is built by ``corpora.generated``: Reuters + BBC stories from ``../shared``, 5-40 a
file, each ``title``, a blank line and its paragraphs (one blank line between them), the stories of a file joined by
two blank lines (``JOIN``), so that a pipeline told the join can split every story out. Every peer reads the same
files and writes Parquet; one repeat runs them all in turn, and the repeats are interleaved so that the machine's
noise falls on every peer alike:

- ``product``: ``corpus-etl ingest`` into a fresh warehouse (as ``bench.run`` runs it);
- ``floor``: the split + language floor: per file ``decode_bytes`` + the product's ``split_document`` + the
  product's ``detect_languages`` (its default engine and sample) on the records, on ``WORKERS`` spawned processes
  started and warmed before the timing, one zstd Parquet file written in the main process;
- ``naive`` / ``naive_2p``: pandas + ``langdetect.detect``: read every file, split it on ``JOIN`` (its own split,
  not the product's), ``langdetect.detect`` on every story's full text (seeded; ``und`` when it raises),
  ``DataFrame.to_parquet``; on one process, and on ``WORKERS`` (a ``multiprocessing.Pool`` over the files);
- ``datatrove_langdetect`` / ``datatrove_fast`` / ``datatrove_nolang``: datatrove's ``LocalPipelineExecutor``
  (``tasks = workers = WORKERS``) running ``TextFileReader`` (one document a file) -> ``JoinSplitter`` (one document
  a story) -> ``LanguageLabel`` -> datatrove's ``ParquetWriter`` (zstd, metadata expanded into columns; its other
  options at their defaults). ``LanguageLabel`` is datatrove's ``LanguageFilter`` with ``label_only=True`` (the
  language and its score go into the metadata, nothing is dropped) on a ``datatrove.utils.lid.LID`` backend of
  langdetect's own code (the full text, as ``LanguageFilter`` hands its model), or of the product's numpy engine
  (``detect_languages`` on batches of 200 documents with the product's sample, as the product detects);
  ``datatrove_nolang`` has no language step. (``LanguageFilter`` itself needs fastText and a model downloaded from
  the Hub, neither of which is allowed here; its filter logic is copied, not its model.)

The subprocess peers (product, naive, datatrove) are timed from outside, like the product (wall, CPU and peak RSS of
the process tree, Python's start and imports included); each also reports its own inner time (``inner_s``). The
floor is timed in this process with warm workers (a best case). Every output is counted after the timing: documents,
and the files whose count equals the stories the file was built from (``files_exact``).

``corpora.generated`` builds the corpus; ``runners`` holds the subprocess peers and the floor (``python -m
bench.peers run NAME`` runs one), ``sections`` times them all, ``measure`` computes the ratios and targets,
``report`` renders them.
"""
