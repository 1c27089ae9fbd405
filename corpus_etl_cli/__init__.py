"""The ``corpus-etl`` command line (``main.py``): the one package that imports every layer.

It sits on top of the core (``corpus_etl``), the warehouse, the GX layer (``expectations``) and the
Prefect flows; nothing below imports it (``tests/unit/test_layers.py``).
"""
