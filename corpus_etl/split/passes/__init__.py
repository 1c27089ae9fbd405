"""The splitter's passes after the line-by-line scan, grouped by what they decide: which records stand
(``records``), trimming of the bodies (``trim``), titles (``titles``), the line model's bodies (``bodies``), wire
briefs (``briefs``). Their order is ``corpus_etl.split.run.PASSES``."""
