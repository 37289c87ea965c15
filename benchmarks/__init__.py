"""Reproducible benchmarks for wsgicors: ``python -m benchmarks`` (see benchmarks/README.md)."""
