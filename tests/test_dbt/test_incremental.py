"""The changelog chain built incrementally (by issue, macros/incremental_by_issue.sql) equals a full
refresh after a later batch re-lands issues, lands a parent named by key, deletes an issue and
renames a status."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from ingest.classify import write_classification
from tests.test_dbt.conftest import STATUSES, dbt_build, land

FIRST_AS_OF, AS_OF = "2026-04-15", "2026-04-30"
SELECT = "+path:models/intermediate/flow"
CHAIN = [
    "staging.stg_jira__changelog_items",
    "intermediate.int_issue_field_changes",
    "intermediate.int_issue_status_intervals",
    "intermediate.int_issue_attribute_intervals",
    "intermediate.int_issue_activity_days",
    "intermediate.int_issue_flow_times",
]


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory, jira):
    """(incremental, full refresh) after the second batch, the first built after each batch."""
    created = "2026-04-01"
    first_changes = {
        "1": jira.status_changes("1", ("2026-04-02", "1", "3"), ("2026-04-04", "3", "10001")),
        "4": [
            *jira.status_changes("4", ("2026-04-03", "1", "3")),
            # Data Center's Epic Link with the epic's key only; the epic lands later
            jira.change("4", "2026-04-02", "Epic Link", None, None, after_string="T-9"),
        ],
        "6": jira.status_changes("6", ("2026-04-02", "1", "3")),
        "10": jira.status_changes("10", ("2026-04-05", "1", "3")),
    }
    first_worklog = jira.worklog("w1", "8", "u1", "2026-04-06T09:00:00", 4)
    first = {
        "issues": [
            jira.issue("1", created, "10001", "done", resolution="Done"),
            jira.issue("4", created, "3", "indeterminate", parent_key="T-9"),
            jira.issue("6", created, "3", "indeterminate"),
            jira.issue("8", created, assignee_account_id="u1"),
            jira.issue("10", created, "3", "indeterminate"),
        ],
        "changelog_items": [item for items in first_changes.values() for item in items],
        "worklogs": [first_worklog],
    }
    later = "2026-04-21T00:00:00"
    second = {
        # 1 reopened and 8 with another worklog, each landed again with its whole history
        "issues": [
            jira.issue("1", created, "3", "indeterminate", updated_at=at(later)),
            jira.issue("8", created, assignee_account_id="u1", updated_at=at(later)),
            jira.issue("9", created, issue_type="Epic", hierarchy_level=1),
        ],
        "changelog_items": [
            *first_changes["1"],
            *jira.status_changes("1", ("2026-04-20", "10001", "3")),
        ],
        "worklogs": [first_worklog, jira.worklog("w2", "8", "u1", "2026-04-20T09:00:00", 2)],
        "deletions": [{"issue_id": "6", "detected_at": at("2026-04-21")}],
        # 10, not landed again, sits in a status renamed since
        "statuses": [
            {**status, "status_name": "Doing"} if status["status_id"] == "3" else status
            for status in STATUSES
        ],
    }
    workdir = tmp_path_factory.mktemp("incremental")
    incremental, full = workdir / "incremental.duckdb", workdir / "full.duckdb"
    for number, (batch, as_of) in enumerate([(first, FIRST_AS_OF), (second, AS_OF)], start=1):
        land(workdir / "landing", f"b{number}", batch)
        write_classification(workdir / "landing", workdir / "classified")
        dbt_build(workdir, incremental, as_of, SELECT)
    dbt_build(workdir, full, AS_OF, SELECT, full_refresh=True)
    connections = [duckdb.connect(str(path), read_only=True) for path in (incremental, full)]
    yield connections
    for connection in connections:
        connection.close()


@pytest.mark.parametrize("relation", CHAIN)
def test_the_incremental_build_equals_a_full_refresh(warehouses, relation):
    incremental, full = (
        connection.sql(f"select * from {relation} order by all").pl() for connection in warehouses
    )
    assert incremental.height == full.height > 0
    assert incremental.equals(full)


def test_the_later_batch_reaches_the_incremental_build(warehouses):
    incremental, _ = warehouses

    def values(sql: str) -> list:
        return [row[0] for row in incremental.execute(sql).fetchall()]

    # the epic landed after its child: the child's parent resolves from key to id
    assert values(
        "select distinct value from intermediate.int_issue_attribute_intervals "
        "where issue_id = '4' and attribute = 'parent' and value is not null"
    ) == ["9"]
    assert values(
        "select distinct issue_id from intermediate.int_issue_status_intervals order by issue_id"
    ) == ["1", "10", "4", "8", "9"]
    assert values(
        "select status_name from intermediate.int_issue_status_intervals "
        "where issue_id = '10' and is_current"
    ) == ["Doing"]
    assert values(
        "select end_flow_state from intermediate.int_issue_flow_times where issue_id = '1'"
    ) == ["active"]
    assert values(
        "select count(*) from intermediate.int_issue_activity_days where issue_id = '8' "
        "and activity_date = '2026-04-20'"
    ) == [1]
