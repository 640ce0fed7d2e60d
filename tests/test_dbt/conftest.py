"""Builds the dbt project against hand-made landing data in a throwaway warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.classify import write_classification
from ingest.landing import BatchWriter
from ingest.normalize import LANDED_SCHEMAS, frame

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")

STATUSES = [
    {"status_id": "1", "status_name": "To Do", "status_category": "new"},
    {"status_id": "3", "status_name": "In Progress", "status_category": "indeterminate"},
    {"status_id": "10001", "status_name": "Done", "status_category": "done"},
]


def land(landing_dir: Path, batch_id: str, tables: dict[str, list[dict]]) -> None:
    """One committed landing batch holding `tables` (issue rows get empty defaults filled in)."""
    defaults = {"labels": [], "components": [], "sprint_ids": [], "raw_json": "{}"}
    given = {"statuses": STATUSES, **tables}
    given["issues"] = [{**defaults, **row} for row in tables["issues"]]
    with BatchWriter(landing_dir, batch_id) as batch:
        for table, schema in LANDED_SCHEMAS.items():
            rows = [{**dict.fromkeys(schema), **row} for row in given.get(table, [])]
            batch.write_part(table, frame(rows, schema))
        batch.commit({})


@pytest.fixture(scope="module")
def build_warehouse(tmp_path_factory) -> Callable[..., duckdb.DuckDBPyConnection]:
    """Land the given rows, classify them, run `dbt build`, return a read-only connection."""
    connections = []

    def build(
        issues: list[dict], changelog: list[dict], *later: dict[str, list[dict]]
    ) -> duckdb.DuckDBPyConnection:
        """`later` batches (table -> rows) land after the first, in order."""
        tmp_path = tmp_path_factory.mktemp("warehouse")
        landing, classified, database = (
            tmp_path / "landing",
            tmp_path / "classified",
            tmp_path / "build.duckdb",
        )
        land(landing, "b1", {"issues": issues, "changelog_items": changelog})
        for number, tables in enumerate(later, start=2):
            land(landing, f"b{number}", tables)
        write_classification(landing, classified)
        dbt_vars = {
            "landing_dir": str(landing),
            "classified_dir": str(classified),
            "build_db_path": str(database),
        }
        completed = subprocess.run(
            [
                DBT,
                "--no-use-colors",
                "build",
                "--vars",
                json.dumps(dbt_vars),
                "--target-path",
                str(tmp_path / "target"),
                "--log-path",
                str(tmp_path / "logs"),
                "--project-dir",
                str(DBT_PROJECT),
                "--profiles-dir",
                str(DBT_PROJECT),
            ],
            capture_output=True,
            text=True,
            cwd=DBT_PROJECT,
        )
        assert completed.returncode == 0, completed.stdout[-4000:]
        connection = duckdb.connect(str(database), read_only=True)
        connections.append(connection)
        return connection

    yield build
    for connection in connections:
        connection.close()
