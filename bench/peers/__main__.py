"""``python -m bench.peers run NAME --corpus DIR --out DIR``: run one subprocess peer (``bench.run`` does)."""

from bench.peers.runners import _main

if __name__ == "__main__":
    raise SystemExit(_main())
