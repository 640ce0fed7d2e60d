"""Person-day effort attribution (spec section 4), on a fortnight worked out by hand.

March 2026: Monday the 2nd to Friday the 6th, with the 5th a holiday, then the weekend, then the
week of the 9th. Issues are idle after 5 days without activity.
"""

from __future__ import annotations

from datetime import date

import pytest

IDLE_DAYS = 5
HOLIDAY = "2026-03-05"


@pytest.fixture(scope="module")
def warehouse(build_warehouse, jira):
    created = "2026-03-02T08:00"
    issues = [
        # p1's three issues, active from Monday 09:00; 13 is done Wednesday noon
        jira.issue("11", created, "3", "indeterminate", assignee_account_id="p1"),
        jira.issue("12", created, "3", "indeterminate", assignee_account_id="p1"),
        jira.issue("13", created, "10001", "done", assignee_account_id="p1"),
        jira.issue("14", created),  # unassigned, only edited by p1
        # an epic in progress assigned to p1: a container, not a candidate for p1's days
        jira.issue(
            "17",
            created,
            "3",
            "indeterminate",
            assignee_account_id="p1",
            issue_type="Epic",
            hierarchy_level=1,
        ),
        jira.issue("15", created, "3", "indeterminate", assignee_account_id="p3"),
        jira.issue("16", created, "3", "indeterminate", assignee_account_id="p5"),
    ]
    changelog = [
        *jira.status_changes("11", ("2026-03-02T09:00", "1", "3"), author="p1"),
        *jira.status_changes("12", ("2026-03-02T09:00", "1", "3"), author="p1"),
        *jira.status_changes("17", ("2026-03-02T09:00", "1", "3"), author="p1"),
        *jira.status_changes(
            "13", ("2026-03-02T09:00", "1", "3"), ("2026-03-04T12:00", "3", "10001"), author="p1"
        ),
        jira.change("14", "2026-03-11T10:00", "labels", None, None, after_string="x", author="p1"),
        *jira.status_changes("15", ("2026-03-02T10:00", "1", "3"), author="p3"),
        jira.change("15", "2026-03-12T10:00", "labels", None, None, after_string="y", author="p3"),
        *jira.status_changes("16", ("2026-03-02T09:00", "1", "3"), author="p4"),
        jira.change(
            "16", "2026-03-02T08:00", "assignee", None, "p4", field_id="assignee", author="p4"
        ),
        jira.change(
            "16", "2026-03-04T12:00", "assignee", "p4", "p5", field_id="assignee", author="p5"
        ),
    ]
    worklogs = [
        jira.worklog("1", "11", "p1", "2026-03-03T10:00", 4),
        # 12 hours in a day: scaled down to one person-day
        jira.worklog("2", "11", "p2", "2026-03-03T09:00", 6),
        jira.worklog("3", "12", "p2", "2026-03-03T15:00", 6),
        jira.worklog("4", "14", "p2", "2026-03-07T10:00", 4),  # a Saturday
    ]
    return build_warehouse(
        [],
        [],
        {"issues": issues, "changelog_items": changelog, "worklogs": worklogs},
        dbt_vars={
            "as_of_date": "2026-03-20",
            "holidays": [HOLIDAY],
            "attribution_idle_days": IDLE_DAYS,
        },
        select="+path:models/intermediate/effort",
    )


@pytest.fixture(scope="module")
def effort(warehouse) -> dict[tuple[str, str], dict[str, float]]:
    """(person, day) -> {issue: person-days}, with the method under the key 'method'."""
    found: dict[tuple[str, str], dict] = {}
    for row in warehouse.sql("select * from intermediate.int_person_day_effort").pl().to_dicts():
        day = found.setdefault((row["account_id"], row["date_day"].isoformat()), {})
        day[row["issue_id"]] = row["effort_person_days"]
        day["method"] = row["method"]
    return found


@pytest.fixture(scope="module")
def person_days(warehouse) -> dict[str, dict[str, tuple]]:
    """person -> day -> (capacity, attributed, method)."""
    found: dict[str, dict[str, tuple]] = {}
    for row in warehouse.sql("select * from intermediate.int_person_days").pl().to_dicts():
        found.setdefault(row["account_id"], {})[row["date_day"].isoformat()] = (
            row["capacity_person_days"],
            pytest.approx(row["attributed_person_days"]),
            row["method"],
        )
    return found


def test_a_day_is_split_equally_across_three_active_work_items(effort):
    thirds = {"11": pytest.approx(1 / 3), "12": pytest.approx(1 / 3), "13": pytest.approx(1 / 3)}
    assert effort[("p1", "2026-03-02")] == {**thirds, "method": "active_assignment"}
    # 13 was done at noon on Wednesday: active during that day, so still a candidate
    assert effort[("p1", "2026-03-04")] == {**thirds, "method": "active_assignment"}
    assert effort[("p1", "2026-03-06")] == {"11": 0.5, "12": 0.5, "method": "active_assignment"}


def test_worklogs_take_precedence_over_assignments(effort):
    assert effort[("p1", "2026-03-03")] == {"11": 0.5, "method": "worklog"}


def test_worklogs_beyond_a_working_day_are_scaled_to_one_person_day(effort):
    assert effort[("p2", "2026-03-03")] == {"11": 0.5, "12": 0.5, "method": "worklog"}


def test_issues_idle_too_long_stop_being_credited_until_the_next_activity(person_days):
    # 15's activity: Monday 2nd (creation, status), then Thursday 12th (an edit by p3)
    assert person_days["p3"] == {
        "2026-03-02": (1.0, 1.0, "active_assignment"),
        "2026-03-03": (1.0, 1.0, "active_assignment"),
        "2026-03-04": (1.0, 1.0, "active_assignment"),
        "2026-03-06": (1.0, 1.0, "active_assignment"),  # the 7th is the fifth idle day
        "2026-03-09": (1.0, 0.0, "unattributed"),
        "2026-03-10": (1.0, 0.0, "unattributed"),
        "2026-03-11": (1.0, 0.0, "unattributed"),
        "2026-03-12": (1.0, 1.0, "active_assignment"),
        "2026-03-13": (1.0, 1.0, "active_assignment"),
        "2026-03-16": (1.0, 1.0, "active_assignment"),
        "2026-03-17": (1.0, 1.0, "active_assignment"),
    }


def test_people_are_counted_from_first_to_last_activity_on_working_days(person_days):
    # p1's issues go idle after the 8th; p1's last activity is an edit on the 11th
    assert sorted(day for day in person_days["p1"] if day >= "2026-03-06") == [
        "2026-03-06",
        "2026-03-09",
        "2026-03-10",
        "2026-03-11",
    ]
    assert person_days["p1"]["2026-03-09"] == (1.0, 0.0, "unattributed")


def test_weekends_and_holidays_get_no_capacity_and_no_assignment_effort(warehouse, person_days):
    attributed_days = {day for days in person_days.values() for day in days}
    assert HOLIDAY not in attributed_days
    assert "2026-03-08" not in attributed_days  # a Sunday
    # Saturday's worklog counts, against no capacity
    assert person_days["p2"]["2026-03-07"] == (0.0, 0.5, "worklog")
    calendar = {
        row[0].isoformat(): row[1:]
        for row in warehouse.sql(
            "select date_day, is_working_day, is_weekend, is_holiday "
            "from intermediate.int_calendar_days"
        ).fetchall()
    }
    assert calendar["2026-03-05"] == (False, False, True)
    assert calendar["2026-03-07"] == (False, True, False)
    assert calendar["2026-03-06"] == (True, False, False)
    assert (min(calendar), max(calendar)) == ("2026-03-02", "2026-03-20")


def test_a_reassigned_issue_is_credited_to_both_people_on_the_handover_day(effort):
    p4 = sorted(day for person, day in effort if person == "p4")
    p5 = sorted(day for person, day in effort if person == "p5")
    assert p4 == ["2026-03-02", "2026-03-03", "2026-03-04"]
    # 16's last activity is the handover on the 4th: creditable through the 9th
    assert p5 == ["2026-03-04", "2026-03-06", "2026-03-09"]


def test_effort_per_person_day_is_at_most_one(warehouse):
    [(most,)] = warehouse.sql(
        "select max(attributed_person_days) from intermediate.int_person_days"
    ).fetchall()
    assert most == pytest.approx(1.0)


def test_the_calendar_is_dated(warehouse):
    [(first,)] = warehouse.sql(
        "select min(week_start) from intermediate.int_calendar_days"
    ).fetchall()
    assert first == date(2026, 3, 2)
