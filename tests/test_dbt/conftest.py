"""Builds the dbt project against hand-made landing data in a throwaway warehouse."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
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
# The site's field catalogue: the fields the default rules file reads must be in it.
FIELDS = [
    {
        "field_id": "customfield_10200",
        "field_name": "Business Value",
        "custom_type": "com.atlassian.jira.plugin.system.customfieldtypes:float",
        "schema_type": "number",
    }
]


class JiraRows:
    """Builders of landed rows for hand-made Jira data; moments are ISO strings read as UTC."""

    def __init__(self) -> None:
        self._history_ids = itertools.count(1)

    @staticmethod
    def at(moment: str) -> datetime:
        return datetime.fromisoformat(moment).replace(tzinfo=UTC)

    def issue(
        self, issue_id: str, created: str, status_id: str = "1", category: str = "new", **fields
    ) -> dict:
        """A story of project T (`fields` override any landed column)."""
        return {
            "issue_id": issue_id,
            "issue_key": f"T-{issue_id}",
            "project_key": "T",
            "issue_type": "Story",
            "hierarchy_level": 0,
            "status_id": status_id,
            "status_category": category,
            "created_at": self.at(created),
            "updated_at": self.at(created),
            **fields,
        }

    def change(
        self,
        issue_id: str,
        when: str,
        field: str,
        before: str | None,
        after: str | None,
        *,
        field_id: str | None = None,
        before_string: str | None = None,
        after_string: str | None = None,
        author: str | None = None,
    ) -> dict:
        """One changelog item, in a history of its own."""
        return {
            "issue_id": issue_id,
            "history_id": str(next(self._history_ids)),
            "item_index": 0,
            "changed_at": self.at(when),
            "author_account_id": author,
            "field": field,
            "field_id": field_id,
            "from_value": before,
            "from_string": before_string,
            "to_value": after,
            "to_string": after_string,
        }

    def status_changes(self, issue_id: str, *steps: tuple[str, str, str], author=None) -> list:
        """Status changes (when, from id, to id) of one issue."""
        return [
            self.change(issue_id, when, "status", before, after, field_id="status", author=author)
            for when, before, after in steps
        ]

    def worklog(self, worklog_id: str, issue_id: str, author: str, started: str, hours: float):
        return {
            "worklog_id": worklog_id,
            "issue_id": issue_id,
            "author_account_id": author,
            "started_at": self.at(started),
            "time_spent_seconds": round(hours * 3600),
            "created_at": self.at(started),
            "updated_at": self.at(started),
        }


@pytest.fixture(scope="session")
def jira() -> JiraRows:
    return JiraRows()


def land(landing_dir: Path, batch_id: str, tables: dict[str, list[dict]]) -> None:
    """One committed landing batch holding `tables` (issue rows get empty defaults filled in)."""
    defaults = {"labels": [], "components": [], "sprint_ids": [], "raw_json": "{}"}
    given = {"statuses": STATUSES, "fields": FIELDS, **tables}
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
        issues: list[dict],
        changelog: list[dict],
        *later: dict[str, list[dict]],
        dbt_vars: dict | None = None,
        select: str | None = None,
    ) -> duckdb.DuckDBPyConnection:
        """`later` batches (table -> rows) land after the first, in order; `dbt_vars` override the
        project's vars; `select` limits the build to those nodes (and their tests only)."""
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
            **(dbt_vars or {}),
        }
        selection = ["--select", select, "--indirect-selection", "cautious"] if select else []
        completed = subprocess.run(
            [
                DBT,
                "--no-use-colors",
                "build",
                *selection,
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


def dbt_build(
    workdir: Path, database: Path, as_of: str, select: str, *, full_refresh: bool = False
) -> None:
    """`dbt build --select select` of the landing and classification under `workdir` (each
    `land`ed batch then `write_classification`), as an incremental or full-refresh run would."""
    dbt_vars = {
        "landing_dir": str(workdir / "landing"),
        "classified_dir": str(workdir / "classified"),
        "build_db_path": str(database),
        "as_of_date": as_of,
    }
    completed = subprocess.run(
        [
            DBT,
            "--no-use-colors",
            "build",
            "--select",
            select,
            "--indirect-selection",
            "cautious",
            *(["--full-refresh"] if full_refresh else []),
            "--vars",
            json.dumps(dbt_vars),
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
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
