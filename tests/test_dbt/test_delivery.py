"""Per-project delivery metrics (spec section 6) on hand-made epics, and the daily snapshot's
incremental build against a full refresh after another day of data has landed."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from ingest.classify import write_classification
from tests.test_dbt.conftest import dbt_build, land

FIRST_AS_OF, AS_OF = "2026-05-20", "2026-05-29"
SELECT = "+fct_project_health +dim_projects"
# ids: epics 1-5, their children 11-16 (epic 1), 21 (epic 2), 31, 41, 61; 51 is outside any epic
EPIC_A, EPIC_B, EPIC_C, EPIC_D, EPIC_E = "T-1", "T-2", "T-3", "T-4", "T-5"


def epic(jira, issue_id: str, created: str, **fields) -> dict:
    return jira.issue(issue_id, created, issue_type="Epic", hierarchy_level=1, **fields)


def child(jira, issue_id: str, parent_id: str, created: str, *status, **fields) -> dict:
    return jira.issue(
        issue_id, created, *status, parent_id=parent_id, parent_key=f"T-{parent_id}", **fields
    )


def first_batch(jira) -> dict[str, list[dict]]:
    issues = [
        # A: due 2026-06-15 when planned, moved to 2026-06-30; work starts on 11 before the epic
        epic(
            jira,
            "1",
            "2026-04-01",
            status_id="3",
            status_category="indeterminate",
            due_date=date(2026, 6, 30),
        ),
        child(jira, "11", "1", "2026-04-01", "10001", "done"),
        child(jira, "12", "1", "2026-04-01"),
        child(jira, "13", "1", "2026-04-20"),  # added after the start
        child(jira, "14", "1", "2026-04-01"),  # moved over from B on 2026-05-01
        jira.issue(
            "15",
            "2026-04-10",
            issue_type="Sub-task",
            hierarchy_level=-1,
            parent_id="11",
            parent_key="T-11",
        ),
        # B: finished
        epic(jira, "2", "2026-04-01", status_id="10001", status_category="done"),
        child(jira, "21", "2", "2026-04-01", "10001", "done"),
        # C: flagged, no due date
        epic(jira, "3", "2026-04-01"),
        child(jira, "31", "3", "2026-04-01"),
        # D: due 2026-05-10 from the start
        epic(jira, "4", "2026-04-01", due_date=date(2026, 5, 10)),
        child(jira, "41", "4", "2026-04-01"),
        jira.issue("51", "2026-04-01"),
    ]
    changelog = [
        jira.change("1", "2026-04-02T09:00:00", "duedate", None, "2026-06-15", field_id="duedate"),
        jira.change(
            "1", "2026-05-10T09:00:00", "duedate", "2026-06-15", "2026-06-30", field_id="duedate"
        ),
        *jira.status_changes("1", ("2026-04-06T09:00:00", "1", "3")),
        *jira.status_changes(
            "11", ("2026-04-05T09:00:00", "1", "3"), ("2026-04-15T09:00:00", "3", "10001")
        ),
        jira.change(
            "14",
            "2026-05-01T09:00:00",
            "IssueParentAssociation",
            "2",
            "1",
            before_string="T-2",
            after_string="T-1",
        ),
        *jira.status_changes("2", ("2026-05-02T09:00:00", "1", "10001")),
        *jira.status_changes(
            "21", ("2026-04-02T09:00:00", "1", "3"), ("2026-04-03T09:00:00", "3", "10001")
        ),
        jira.change(
            "3",
            "2026-05-15T09:00:00",
            "Flagged",
            None,
            "Impediment",
            field_id="customfield_10021",
            after_string="Impediment",
        ),
    ]
    return {"issues": issues, "changelog_items": changelog}


def second_batch(jira) -> dict[str, list[dict]]:
    """The next days: 41 starts late on the first build's day (which must be rebuilt), 12 starts,
    16 joins A, and E, created weeks ago, comes into scope."""
    return {
        "issues": [
            child(jira, "41", "4", "2026-04-01", "3", "indeterminate"),
            child(jira, "12", "1", "2026-04-01", "3", "indeterminate"),
            child(jira, "16", "1", "2026-05-22"),
            epic(jira, "5", "2026-04-10"),
            child(jira, "61", "5", "2026-04-10"),
        ],
        "changelog_items": [
            *jira.status_changes("41", ("2026-05-20T18:00:00", "1", "3")),
            *jira.status_changes("12", ("2026-05-25T09:00:00", "1", "3")),
        ],
    }


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory, jira):
    """(incremental, full refresh): the first built as of the first day, then incrementally after
    the second batch landed; the second built once from both batches."""
    workdir = tmp_path_factory.mktemp("delivery")
    incremental, full = workdir / "incremental.duckdb", workdir / "full.duckdb"
    land(workdir / "landing", "b1", first_batch(jira))
    write_classification(workdir / "landing", workdir / "classified")
    dbt_build(workdir, incremental, FIRST_AS_OF, SELECT)
    land(workdir / "landing", "b2", second_batch(jira))
    write_classification(workdir / "landing", workdir / "classified")
    dbt_build(workdir, incremental, AS_OF, SELECT)
    dbt_build(workdir, full, AS_OF, SELECT, full_refresh=True)
    connections = [duckdb.connect(str(path), read_only=True) for path in (incremental, full)]
    yield connections
    for connection in connections:
        connection.close()


@pytest.fixture(scope="module")
def warehouse(warehouses):
    return warehouses[1]


def rows(connection, sql: str) -> list[dict]:
    return connection.sql(sql).pl().to_dicts()


def day(connection, project_id: str, snapshot_date: str) -> dict:
    [row] = rows(
        connection,
        f"select * from marts.fct_project_daily_snapshot "
        f"where project_id = '{project_id}' and snapshot_date = '{snapshot_date}'",
    )
    return row


def test_the_incremental_snapshot_equals_a_full_refresh(warehouses):
    incremental, full = (
        connection.sql(
            "select * from marts.fct_project_daily_snapshot order by project_day_id"
        ).pl()
        for connection in warehouses
    )
    assert incremental.height == full.height > 0
    assert incremental.equals(full)
    # E came into scope with the second batch and was built back to its creation
    assert incremental.filter(project_id=EPIC_E)["snapshot_date"].min() == date(2026, 4, 10)


def test_an_issue_moved_between_epics_counts_where_it_was_on_each_day(warehouse):
    assert day(warehouse, EPIC_B, "2026-04-30")["children_total"] == 2
    assert day(warehouse, EPIC_B, "2026-05-01")["children_total"] == 1
    assert day(warehouse, EPIC_A, "2026-05-01")["children_total"] == 5  # 11-15, the sub-task too
    [moved] = rows(
        warehouse,
        "select project_id, depth, valid_to is null as is_current "
        "from intermediate.int_project_memberships where issue_id = '14' order by valid_from",
    )[1:]
    assert moved == {"project_id": EPIC_A, "depth": 1, "is_current": True}


def test_baseline_first_start_and_scope_growth(warehouse):
    [baseline] = rows(
        warehouse, f"select * from intermediate.int_project_baselines where project_id = '{EPIC_A}'"
    )
    # 11 went active on 2026-04-05, before the epic; then A held 11 and 12 (14 was B's)
    assert baseline["first_start_date"] == date(2026, 4, 5)
    assert baseline["children_at_first_start"] == 2
    assert (baseline["baseline_due_date"], baseline["current_due_date"]) == (
        date(2026, 6, 15),
        date(2026, 6, 30),
    )
    assert day(warehouse, EPIC_A, "2026-04-04")["scope_growth"] is None
    assert day(warehouse, EPIC_A, "2026-04-30")["scope_growth"] == pytest.approx(
        1.0
    )  # 11, 12, 13, 15
    assert day(warehouse, EPIC_A, AS_OF)["scope_growth"] == pytest.approx(2.0)  # and 14, 16


def test_each_day_holds_the_values_of_that_day(warehouse):
    before, after = day(warehouse, EPIC_A, "2026-05-09"), day(warehouse, EPIC_A, "2026-05-10")
    assert (before["due_date"], before["slip_days"]) == (date(2026, 6, 15), 0)
    assert (after["due_date"], after["slip_days"]) == (date(2026, 6, 30), 15)
    assert day(warehouse, EPIC_A, "2026-04-14")["children_done"] == 0
    done = day(warehouse, EPIC_A, "2026-04-15")  # 11, 12 and the sub-task 15
    assert (done["children_done"], done["children_total"]) == (1, 3)
    assert done["pct_complete_by_count"] == pytest.approx(1 / 3)
    # nothing happened on D from its creation until 41 started on 2026-05-20
    assert day(warehouse, EPIC_D, "2026-05-19")["staleness_days"] == 48
    assert day(warehouse, EPIC_D, AS_OF)["staleness_days"] == 9
    assert day(warehouse, EPIC_C, "2026-05-14")["is_project_flagged"] is False
    assert day(warehouse, EPIC_C, "2026-05-15")["is_project_flagged"] is True


def test_the_as_of_day_matches_the_as_of_progress(warehouse):
    mismatches = rows(
        warehouse,
        f"""
        select snapshot.project_id
        from marts.fct_project_daily_snapshot as snapshot
        inner join intermediate.int_project_progress as progress using (project_id)
        where snapshot.snapshot_date = '{AS_OF}'
            and (snapshot.children_total, snapshot.children_done, snapshot.children_cancelled)
                <> (progress.children_total, progress.children_done, progress.children_cancelled)
        """,
    )
    assert mismatches == []


def test_delivery_status_and_reason(warehouse):
    health = {
        row["project_id"]: row for row in rows(warehouse, "select * from marts.fct_project_health")
    }
    assert (health[EPIC_B]["delivery_status"], health[EPIC_B]["delivery_status_reason"]) == (
        "done",
        "closed as done (Done)",
    )
    # flagged beats the missing due date
    assert health[EPIC_C]["delivery_status"] == "blocked"
    assert health[EPIC_C]["delivery_status_reason"] == "project flagged"
    assert health[EPIC_D]["delivery_status"] == "off_track"
    assert health[EPIC_D]["delivery_status_reason"].startswith("days overdue 19 > 0")
    assert health[EPIC_E]["delivery_status_reason"] == "no due date"
    assert {row["as_of_date"] for row in health.values()} == {date(2026, 5, 29)}
