"""Flow states, status and attribute intervals and flow times, on issues worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

AS_OF = "2026-04-30"
STATUSES = [
    {"status_id": "1", "status_name": "To Do", "status_category": "new"},
    {"status_id": "3", "status_name": "In Progress", "status_category": "indeterminate"},
    {"status_id": "10001", "status_name": "Done", "status_category": "done"},
    {"status_id": "10010", "status_name": "In Review", "status_category": "indeterminate"},
    {"status_id": "10011", "status_name": "Blocked", "status_category": "indeterminate"},
    {"status_id": "10012", "status_name": "Won't Do", "status_category": "done"},
]


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouse(build_warehouse, jira):
    created = "2026-04-01"
    issues = [
        jira.issue("1", created, "10001", "done", resolution="Done"),  # reopened
        jira.issue("2", created, "10012", "done", resolution="Won't Do"),
        jira.issue("3", created, "10001", "done", resolution="won't do"),  # Done, as Won't Do
        jira.issue(
            "4",
            created,
            "3",
            "indeterminate",
            assignee_account_id="u3",
            sprint_ids=[7],
            parent_key="T-9",
            due_date=at("2026-05-20").date(),
        ),
        jira.issue("5", created, "3", "indeterminate"),  # through uncatalogued statuses
        jira.issue("6", created),  # deleted later
        jira.issue("7", "2026-05-10"),  # created after the as-of date
        jira.issue("8", created, assignee_account_id="u2", sprint_ids=[5, 6]),
        jira.issue("9", created, issue_type="Epic", hierarchy_level=1),
    ]
    changelog = [
        *jira.status_changes(
            "1",
            ("2026-04-02", "1", "3"),
            ("2026-04-04", "3", "10001"),
            ("2026-04-10", "10001", "3"),
            ("2026-04-11", "3", "10010"),
            ("2026-04-12", "10010", "10001"),
        ),
        *jira.status_changes(
            "2",
            ("2026-04-02", "1", "3"),
            ("2026-04-03", "3", "10001"),
            ("2026-04-05", "10001", "10012"),
        ),
        *jira.status_changes("3", ("2026-04-02", "1", "10001")),
        jira.change(
            "5", "2026-04-02", "status", "1", "20000", field_id="status", after_string="Parked"
        ),
        jira.change(
            "5", "2026-04-03", "status", "20000", "20001",
            field_id="status", before_string="Parked", after_string="On Hold",
        ),
        jira.change("5", "2026-04-04", "status", "20001", "3", field_id="status"),
        *jira.status_changes("6", ("2026-04-02", "1", "3")),
        jira.change("8", "2026-04-02", "assignee", None, "u1", field_id="assignee"),
        jira.change("8", "2026-04-05", "assignee", "u1", "u2", field_id="assignee"),
        jira.change("8", "2026-04-02", "Sprint", None, "5", field_id="customfield_10020"),
        jira.change("8", "2026-04-06", "Sprint", "5", "5, 6", field_id="customfield_10020"),
        jira.change("8", "2026-04-08", "Sprint", "5, 6", "6", field_id="customfield_10020"),
        jira.change("8", "2026-04-09", "Sprint", "6", "5, 6", field_id="customfield_10020"),
        jira.change(
            "8", "2026-04-03", "Flagged", None, "[10019]",
            field_id="customfield_10021", after_string="Impediment",
        ),
        jira.change(
            "8", "2026-04-04", "Flagged", "[10019]", None,
            field_id="customfield_10021", before_string="Impediment",
        ),
        jira.change(
            "8", "2026-04-02", "duedate", "2026-05-01", "2026-05-15", field_id="duedate",
            before_string="2026-05-01 00:00:00.0", after_string="2026-05-15 00:00:00.0",
        ),
        # Data Center's Epic Link, here with the epic's key only
        jira.change("8", "2026-04-02", "Epic Link", None, None, after_string="T-9"),
    ]  # fmt: skip
    return build_warehouse(
        [],
        [],
        {"issues": issues, "changelog_items": changelog, "statuses": STATUSES},
        {"issues": [], "deletions": [{"issue_id": "6", "detected_at": at("2026-04-20")}]},
        dbt_vars={"as_of_date": AS_OF},
        select="+path:models/intermediate/flow",
    )


def rows(connection, sql: str) -> list[dict]:
    return connection.sql(sql).pl().to_dicts()


@pytest.fixture(scope="module")
def flow_times(warehouse):
    return {
        row["issue_id"]: row
        for row in rows(warehouse, "select * from intermediate.int_issue_flow_times")
    }


def test_statuses_map_by_override_then_category_and_unknown_ones_are_kept_unmapped(warehouse):
    mapped = {
        row["status_name"]: (row["flow_state"], row["is_blocked_status"], row["flow_state_source"])
        for row in rows(warehouse, "select * from intermediate.int_statuses_mapped_to_flow_states")
    }
    assert mapped == {
        "To Do": ("new", False, "category"),
        "In Progress": ("active", False, "category"),
        "Done": ("done", False, "category"),
        "In Review": ("waiting", False, "override"),
        "Blocked": ("waiting", True, "override"),
        "Won't Do": ("cancelled", False, "override"),
        # seen only in the changelog: mapped by name where an override exists
        "On Hold": ("waiting", True, "override"),
        "Parked": ("unmapped", False, "unmapped"),
    }


def test_status_intervals_carry_flow_states_and_skip_deleted_issues(warehouse):
    intervals = rows(
        warehouse,
        "select issue_id, flow_state, valid_from, valid_to, is_current "
        "from intermediate.int_issue_status_intervals where issue_id in ('5', '6') "
        "order by issue_id, change_seq",
    )
    assert [(r["flow_state"], r["valid_from"].day, r["is_current"]) for r in intervals] == [
        ("new", 1, False),
        ("unmapped", 2, False),
        ("waiting", 3, False),
        ("active", 4, True),
    ]


def test_a_reopened_issue_counts_its_final_completion(flow_times):
    reopened = flow_times["1"]
    assert reopened["first_active_at"] == at("2026-04-02")
    assert reopened["completed_at"] == at("2026-04-12")
    assert reopened["reopen_count"] == 1
    assert (reopened["is_done"], reopened["is_cancelled"]) == (True, False)
    assert reopened["cycle_time_days"] == pytest.approx(10)
    assert reopened["lead_time_days"] == pytest.approx(11)


def test_flow_efficiency_inputs_are_days_active_and_waiting(flow_times):
    # active 04-02..04-04 and 04-10..04-11, in review 04-11..04-12
    assert flow_times["1"]["active_days"] == pytest.approx(3)
    assert flow_times["1"]["waiting_days"] == pytest.approx(1)
    # never moved, in progress since creation: up to the end of the as-of day
    assert flow_times["4"]["active_days"] == pytest.approx(30)
    assert flow_times["4"]["completed_at"] is None
    # On Hold counts as waiting, the unmapped status as neither
    assert flow_times["5"]["waiting_days"] == pytest.approx(1)


def test_cancelled_by_status_or_resolution_has_no_cycle_or_lead_time(flow_times):
    cancelled = flow_times["2"]
    # Done, then Won't Do: the final stretch starts at Done
    assert cancelled["completed_at"] == at("2026-04-03")
    assert (cancelled["end_flow_state"], cancelled["is_cancelled"]) == ("cancelled", True)
    assert cancelled["cycle_time_days"] is None and cancelled["lead_time_days"] is None
    by_resolution = flow_times["3"]
    assert (by_resolution["end_flow_state"], by_resolution["is_done"]) == ("done", False)
    assert by_resolution["is_cancelled"] is True


def test_flow_times_cover_the_issues_of_the_as_of_date(flow_times):
    assert sorted(flow_times) == ["1", "2", "3", "4", "5", "8", "9"]


def attribute_intervals(warehouse, issue_id: str, attribute: str) -> list[tuple]:
    return [
        (
            row["value"],
            row["valid_from"].date().isoformat(),
            row["valid_to"] and row["valid_to"].date().isoformat(),
        )
        for row in rows(
            warehouse,
            "select value, valid_from, valid_to from intermediate.int_issue_attribute_intervals "
            f"where issue_id = '{issue_id}' and attribute = '{attribute}' "
            "order by value, valid_from",
        )
    ]


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        (
            "assignee",
            [("u1", "2026-04-02", "2026-04-05"), ("u2", "2026-04-05", None),
             (None, "2026-04-01", "2026-04-02")],
        ),
        # comma-separated sets; sprint 5 left and came back: two stretches
        (
            "sprint",
            [("5", "2026-04-02", "2026-04-08"), ("5", "2026-04-09", None),
             ("6", "2026-04-06", None)],
        ),
        (
            "flagged",
            [("Impediment", "2026-04-03", "2026-04-04"), (None, "2026-04-01", "2026-04-03"),
             (None, "2026-04-04", None)],
        ),
        (
            "due_date",
            [("2026-05-01", "2026-04-01", "2026-04-02"), ("2026-05-15", "2026-04-02", None)],
        ),
        # the Epic Link's key resolves to the epic's id
        ("parent", [("9", "2026-04-02", None), (None, "2026-04-01", "2026-04-02")]),
    ],
)  # fmt: skip
def test_attribute_intervals_are_rebuilt_from_the_changelog(warehouse, attribute, expected):
    assert attribute_intervals(warehouse, "8", attribute) == sorted(
        expected, key=lambda row: (row[0] is None, row[0] or "", row[1])
    )


def test_attributes_never_changed_hold_the_current_value(warehouse):
    found = {
        attribute: attribute_intervals(warehouse, "4", attribute)
        for attribute in ("assignee", "sprint", "parent", "due_date", "flagged")
    }
    assert found == {
        "assignee": [("u3", "2026-04-01", None)],
        "sprint": [("7", "2026-04-01", None)],
        "parent": [("9", "2026-04-01", None)],
        "due_date": [("2026-05-20", "2026-04-01", None)],
        "flagged": [(None, "2026-04-01", None)],
    }
