"""Benchmarks run by `make bench`; each module `bench_*.py` exposes `run() -> list[Result]`."""
