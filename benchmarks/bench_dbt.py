"""dbt build on a synthetic warehouse: the full build against the nightly incremental one.

The site (benchmarks/synthetic_warehouse.py) has 1,000,000 issues and ~10,000,000 changelog items
by default, landed as one full extraction batch; the nightly batch is the next day's incremental
extraction, in which 1 % of the issues change (each landed again with its complete changelog).
The run, in a fresh work dir:
  1. land the full batch, classify it (timed), `dbt build` into an empty warehouse (timed);
  2. land the nightly batch, classify (timed), `dbt build` again, without --full-refresh (timed):
     incremental models only add what changed, tables and views are rebuilt whole.
Target: the nightly build under 15 % of the full one. The slowest models of the full build follow,
each with its nightly time, from dbt's run_results.json.

dbt runs as tests/test_dbt/conftest.py runs it, with its own target, log and warehouse paths. The
builds are wall times of the dbt process; each starts from a warm partial parse (a `dbt parse`
with the same vars, untimed, as on a deployment whose vars do not change between nights), and
the as-of date is the site's (the nightly build's is the next day).

Settings (environment):
  BENCH_DBT_ISSUES  issues in the site (default 1,000,000; 20,000 with --quick)
  BENCH_DBT_DIR     work dir (default data/bench/dbt): cache/ keeps generated sites, keyed by size
                    and generator version, so reruns skip the generation (~250 MB and ~1 minute
                    per million issues); run/ holds the last run's landing, classification,
                    warehouse (~2 GB per million issues), dbt target and logs, and the two
                    builds' run_results_full.json / run_results_nightly.json.
At 1,000,000 issues a run takes about half an hour on 2 cores, and DuckDB takes up to its default
memory limit (80 % of RAM) during the full build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks import Measurement
from benchmarks.synthetic_warehouse import Shape, ensure_landings
from ingest.classify import write_classification

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
TOP_MODELS = 10
TOP_TESTED = 5


@dataclass(frozen=True)
class Node:
    name: str
    resource_type: str  # model, seed, test, unit_test, ...
    status: str
    seconds: float
    materialized: str | None
    tested: str | None  # a test's model (unique id)


@dataclass(frozen=True)
class Build:
    seconds: float  # wall time of the dbt process
    parse_seconds: float  # the untimed `dbt parse` before it
    nodes: dict[str, Node]  # by unique id

    def of_type(self, *resource_types: str) -> dict[str, Node]:
        return {uid: n for uid, n in self.nodes.items() if n.resource_type in resource_types}

    def problems(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.status not in ("success", "pass")]


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _link_batches(batches: list[Path], landing: Path) -> None:
    """Land cached batches without copying them (hard links; a copy across file systems)."""
    for batch in batches:
        target = landing / "batches" / batch.name
        try:
            shutil.copytree(batch, target, copy_function=os.link)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(batch, target)


class Warehouse:
    """One benchmark run's landing, classification, DuckDB file and dbt paths."""

    def __init__(self, run_dir: Path):
        shutil.rmtree(run_dir, ignore_errors=True)
        self.run_dir = run_dir
        self.landing = run_dir / "landing"
        self.classified = run_dir / "classified"
        self.landing.mkdir(parents=True)

    def dbt(self, command: str, as_of: date) -> subprocess.CompletedProcess:
        dbt_vars = {
            "landing_dir": str(self.landing),
            "classified_dir": str(self.classified),
            "build_db_path": str(self.run_dir / "build.duckdb"),
            "as_of_date": as_of.isoformat(),
        }
        return subprocess.run(
            [
                DBT,
                "--no-use-colors",
                command,
                "--vars",
                json.dumps(dbt_vars),
                "--target-path",
                str(self.run_dir / "target"),
                "--log-path",
                str(self.run_dir / "logs"),
                "--project-dir",
                str(DBT_PROJECT),
                "--profiles-dir",
                str(DBT_PROJECT),
            ],
            capture_output=True,
            text=True,
            cwd=DBT_PROJECT,
            env={**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )

    def build(self, label: str, as_of: date) -> Build:
        started = time.perf_counter()
        parse = self.dbt("parse", as_of)
        parse_seconds = time.perf_counter() - started
        if parse.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{parse.stdout[-4000:]}")
        started = time.perf_counter()
        completed = self.dbt("build", as_of)
        seconds = time.perf_counter() - started
        target = self.run_dir / "target"
        results = target / "run_results.json"
        if not results.exists():
            raise RuntimeError(f"dbt build ({label}) did not run:\n{completed.stdout[-4000:]}")
        kept = self.run_dir / f"run_results_{label}.json"
        shutil.copyfile(results, kept)
        (self.run_dir / f"dbt_{label}.log").write_text(completed.stdout)
        nodes = _nodes(json.loads(kept.read_text()), target / "manifest.json")
        return Build(seconds, parse_seconds, nodes)


def _nodes(run_results: dict, manifest_path: Path) -> dict[str, Node]:
    """run_results' nodes with their materialisation and, for tests, the model they test."""
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    known = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    nodes = {}
    for result in run_results["results"]:
        uid = result["unique_id"]
        node = known.get(uid, {})
        # type.package.name[.hash or version]; a unit test's name follows its model's
        resource_type, _, *names = uid.split(".")
        name = ".".join(names) if resource_type == "unit_test" else names[0]
        depends = [d for d in node.get("depends_on", {}).get("nodes", []) if d.startswith("model.")]
        nodes[uid] = Node(
            name=name,
            resource_type=resource_type,
            status=result["status"],
            seconds=result["execution_time"],
            materialized=node.get("config", {}).get("materialized"),
            tested=node.get("attached_node") or (depends[0] if depends else None),
        )
    return nodes


def _build_note(build: Build) -> str:
    counts: dict[str, int] = {}
    for node in build.nodes.values():
        counts[node.resource_type] = counts.get(node.resource_type, 0) + 1
    note = ", ".join(f"{count} {kind}s" for kind, count in sorted(counts.items()))
    problems = build.problems()
    if problems:
        by_status: dict[str, int] = {}
        for node in problems:
            by_status[node.status] = by_status.get(node.status, 0) + 1
        note += "; NOT CLEAN: " + ", ".join(f"{n} {status}" for status, n in by_status.items())
    return note


def _report_problems(label: str, build: Build) -> None:
    skipped = 0
    for node in build.problems():
        if node.status == "skipped":
            skipped += 1
        else:
            print(
                f"  dbt {label}: {node.status}: {node.resource_type} {node.name}", file=sys.stderr
            )
    if skipped:
        print(f"  dbt {label}: {skipped} nodes skipped after those", file=sys.stderr)


def _model_rows(full: Build, nightly: Build) -> list[Measurement]:
    """The slowest models of the full build, with their nightly times."""
    models = sorted(full.of_type("model", "seed").items(), key=lambda item: -item[1].seconds)
    rows = []
    for uid, node in models[:TOP_MODELS]:
        later = nightly.nodes.get(uid)
        again = f"nightly {later.seconds:.2f} s" if later else "not in the nightly build"
        rows.append(
            Measurement(
                "dbt", f"full: {node.name}", node.seconds, "s", f"{node.materialized}; {again}"
            )
        )
    return rows


def _test_rows(full: Build, nightly: Build) -> list[Measurement]:
    """All tests' time, then the models whose tests take longest: a test of a view runs the
    view's query again, each time."""
    models = full.of_type("model", "seed")

    def by_model(build: Build) -> dict[str | None, list[Node]]:
        grouped: dict[str | None, list[Node]] = {}
        for node in build.of_type("test", "unit_test").values():
            grouped.setdefault(node.tested, []).append(node)
        return grouped

    tests, nightly_tests = by_model(full), by_model(nightly)

    def seconds(nodes: list[Node]) -> float:
        return sum(node.seconds for node in nodes)

    count = sum(len(nodes) for nodes in tests.values())
    rows = [
        Measurement(
            "dbt",
            f"full: all {count} tests",
            sum(seconds(nodes) for nodes in tests.values()),
            "s",
            f"nightly {sum(seconds(n) for n in nightly_tests.values()):.2f} s "
            "(sums of node times; dbt runs 2 threads)",
        )
    ]
    slowest = sorted(tests.items(), key=lambda item: -seconds(item[1]))[:TOP_TESTED]
    for uid, nodes in slowest:
        model = models.get(uid)
        name = model.name if model else "(singular tests)"
        kind = model.materialized if model else "-"
        rows.append(
            Measurement(
                "dbt",
                f"full: {len(nodes)} tests of {name}",
                seconds(nodes),
                "s",
                f"{kind}; nightly {seconds(nightly_tests.get(uid, [])):.2f} s",
            )
        )
    return rows


def run(quick: bool) -> list[Measurement]:
    issues = int(os.environ.get("BENCH_DBT_ISSUES") or (20_000 if quick else 1_000_000))
    work_dir = Path(os.environ.get("BENCH_DBT_DIR") or REPO / "data" / "bench" / "dbt").resolve()
    shape = Shape(issues)
    generation = time.perf_counter()
    landings = ensure_landings(work_dir / "cache", shape)
    generation = time.perf_counter() - generation
    site = json.loads((landings.base.parent / "site.json").read_text())["row_counts"]

    warehouse = Warehouse(work_dir / "run")
    _link_batches(landings.base_batches, warehouse.landing)
    classify_full = _seconds(lambda: write_classification(warehouse.landing, warehouse.classified))
    full = warehouse.build("full", shape.as_of)
    _report_problems("full", full)
    _link_batches(landings.nightly_batches, warehouse.landing)
    classify_nightly = _seconds(
        lambda: write_classification(warehouse.landing, warehouse.classified)
    )
    nightly = warehouse.build("nightly", shape.nightly_as_of)
    _report_problems("nightly", nightly)

    size = f"{issues:,} issues, {site['base']['changelog_items']:,} changelog items"
    changed = f"{site['nightly']['issues']:,} issues changed or new"
    return [
        Measurement(
            "dbt",
            "synthetic landing",
            generation,
            "s",
            f"{size}; not timed below; cached in {work_dir / 'cache'}",
        ),
        Measurement("dbt", "classify, full", classify_full, "s", size),
        Measurement("dbt", "dbt build, full", full.seconds, "s", _build_note(full)),
        Measurement("dbt", "classify, nightly", classify_nightly, "s", f"{changed}; all issues"),
        Measurement(
            "dbt",
            "dbt build, nightly",
            nightly.seconds,
            "s",
            f"{changed}, no --full-refresh; {_build_note(nightly)}",
        ),
        Measurement(
            "dbt",
            "nightly / full (dbt build)",
            nightly.seconds / full.seconds,
            "x",
            "target < 0.15",
        ),
        Measurement(
            "dbt",
            "dbt parse",
            full.parse_seconds,
            "s",
            f"before each build, not in its time (nightly: {nightly.parse_seconds:.1f} s)",
        ),
        *_model_rows(full, nightly),
        *_test_rows(full, nightly),
    ]
