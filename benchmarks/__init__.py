"""Benchmarks: `make bench` runs every `bench_*.py` module here and prints one table.

Each module exposes `run(quick: bool) -> list[Measurement]`. Machines are noisy, so a benchmark
measures its subject and its baseline side by side in the same run and reports the ratio.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    benchmark: str
    variant: str
    value: float
    unit: str
    note: str = ""
