"""``python -m bench.run``: the ingest benchmarked at scale on generated corpora, against its floors and peers.

The corpora are built by ``corpora.generated``. ``timing`` measures a command from outside (wall, CPU, peak RSS of
its process tree), ``product`` runs the ``corpus-etl`` CLI and reads what its run left, ``floors`` measures the
split and language floors and the naive baseline, ``sections`` runs them per corpus size, ``measure`` computes the
ratios and targets, ``report`` renders ``RESULTS.md``, ``common`` holds the sizes and paths, ``__main__`` is the
command line. The peers are ``bench.peers``.
"""
