"""Corpora read from ../shared that both the evaluation (``eval/``) and the benchmarks (``bench/``) build on."""
