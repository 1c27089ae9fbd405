"""``python -m eval.run``: the splitter, the boilerplate rules and language detection on real corpora with ground
truth.

``corpus`` (the inputs and their gold), ``measure`` (the sections: workers, scores, targets), ``report``
(``RESULTS.md``), ``__main__`` (the command line). The pure metrics are ``eval.metrics``; the shared corpora are
read by ``corpora``.
"""
