"""``python -m eval.realistic``: dev evaluation on input that looks real (glued pages, story files, Multi-News,
the ledger of a real ingest).

The inputs are built by ``corpora`` (``pages``, ``stories``, ``multinews``); ``extractors`` is the
``--extractor module:factory`` hook, ``sections`` runs the extractor on the inputs in a process pool,
``measure`` holds the pure scores and targets, ``report`` renders ``REALISTIC.md``, ``__main__`` is the command
line. The packaged factories are re-exported here: ``eval.realistic:product_extractor`` (the default) and
``eval.realistic:rules_extractor`` name them.
"""

from eval.realistic.extractors import product_extractor, rules_extractor

__all__ = ["product_extractor", "rules_extractor"]
