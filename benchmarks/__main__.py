"""`python -m benchmarks [--quick] [name ...]`: run the benchmarks and print a table.

Each benchmark's docstring says what it measures and how to size it (the dbt one: the
environment variables BENCH_DBT_ISSUES and BENCH_DBT_DIR).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )
    return [name for name in names if not selected or name.removeprefix("bench_") in selected]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args()
    rows = []
    for name in _modules(args.names):
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run(quick=args.quick))
    header = ("benchmark", "variant", "value", "unit", "note")
    table = [header] + [(r.benchmark, r.variant, f"{r.value:,.3f}", r.unit, r.note) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
