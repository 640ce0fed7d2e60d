"""The per-team marts (spec section 5) end to end, on an April 2026 worked out by hand.

Payments: p1 logs a day each on 1, 2 (sure thing) and 3 April (moonshot), and 6 April on a Search
issue; p2 logs 8 and 10 April (sure thing) and nothing on the 9th. Search has no people of its own.
Platform has neither worklogs nor assignees: its effort falls back to story points. Formulas on
edge cases are pinned by the dbt unit tests next to the models; this checks the wiring.
"""

from __future__ import annotations

from datetime import date

import pytest

AS_OF = "2026-04-30"
CREATED = "2026-03-30T09:00"
TEAM_MARTS = "+fct_team_month +fct_team_quarter +fct_team_sprint +dim_teams +dim_calendar"


def item(jira, key: str, issue_type: str = "Story", parent: str | None = None, **fields) -> dict:
    project, number = key.split("-")
    level = {"Epic": 1, "Story": 0}[issue_type]
    return jira.issue(
        number,
        CREATED,
        issue_key=key,
        project_key=project,
        issue_type=issue_type,
        hierarchy_level=level,
        parent_key=parent,
        **fields,
    )


@pytest.fixture(scope="module")
def warehouse(build_warehouse, jira):
    def key_id(key: str) -> str:
        return key.split("-")[1]

    issues = [
        item(jira, "PAY-101", "Epic", labels=["tier:sure"]),
        item(jira, "PAY-102", parent="PAY-101"),
        item(jira, "PAY-103", "Epic", labels=["tier:moonshot"]),
        item(jira, "PAY-104", parent="PAY-103"),
        # flow: done after 2 and 10 days of work (lead 4 and 17 days), and one still active
        item(jira, "PAY-105", status_id="10001", status_category="done"),
        item(jira, "PAY-106", status_id="10001", status_category="done", sprint_ids=[7]),
        item(jira, "PAY-107", status_id="3", status_category="indeterminate", sprint_ids=[7, 8]),
        item(jira, "SRCH-201", "Epic", labels=["tier:linear"]),
        item(jira, "SRCH-202", parent="SRCH-201"),
        item(jira, "PLAT-301", "Epic", labels=["tier:sure"]),
        item(
            jira,
            "PLAT-302",
            parent="PLAT-301",
            story_points=5.0,
            status_id="10001",
            status_category="done",
        ),
        item(jira, "PLAT-303", story_points=2.0, status_id="3", status_category="indeterminate"),
    ]
    changelog = [
        *jira.status_changes(
            "105", ("2026-04-01T09:00", "1", "3"), ("2026-04-03T09:00", "3", "10001")
        ),
        *jira.status_changes(
            "106", ("2026-04-06T09:00", "1", "3"), ("2026-04-16T09:00", "3", "10001")
        ),
        *jira.status_changes("107", ("2026-04-01T09:00", "1", "3")),
        *jira.status_changes(
            "302", ("2026-04-13T09:00", "1", "3"), ("2026-04-15T09:00", "3", "10001")
        ),
        *jira.status_changes("303", ("2026-04-14T09:00", "1", "3")),
        # sprint 7 starts on 6 April with 106 and 107; 107 moves on to sprint 8 when it closes
        jira.change("106", "2026-04-03T10:00", "Sprint", None, "7", field_id="customfield_10020"),
        jira.change("107", "2026-04-03T10:00", "Sprint", None, "7", field_id="customfield_10020"),
        jira.change("107", "2026-04-20T08:06", "Sprint", "7", "7, 8", field_id="customfield_10020"),
    ]
    worklogs = [
        jira.worklog("1", key_id("PAY-102"), "p1", "2026-04-01T09:00", 8),
        jira.worklog("2", key_id("PAY-102"), "p1", "2026-04-02T09:00", 8),
        jira.worklog("3", key_id("PAY-104"), "p1", "2026-04-03T09:00", 8),
        jira.worklog("4", key_id("SRCH-202"), "p1", "2026-04-06T09:00", 8),
        jira.worklog("5", key_id("PAY-102"), "p2", "2026-04-08T09:00", 8),
        jira.worklog("6", key_id("PAY-102"), "p2", "2026-04-10T09:00", 8),
    ]
    boards = [
        {"board_id": 1, "board_name": "PAY board", "board_type": "scrum", "project_key": "PAY"}
    ]
    sprints = [
        {
            "sprint_id": 7,
            "board_id": 1,
            "sprint_name": "PAY Sprint 7",
            "state": "closed",
            "start_at": jira.at("2026-04-06T08:00"),
            "end_at": jira.at("2026-04-20T08:00"),
            "completed_at": jira.at("2026-04-20T08:05"),
        },
        {"sprint_id": 8, "board_id": 1, "sprint_name": "PAY Sprint 8", "state": "future"},
    ]
    return build_warehouse(
        [],
        [],
        {
            "issues": issues,
            "changelog_items": changelog,
            "worklogs": worklogs,
            "boards": boards,
            "sprints": sprints,
        },
        dbt_vars={"as_of_date": AS_OF},
        select=TEAM_MARTS,
    )


def rows(connection, relation: str, key: str) -> dict:
    return {
        row[key]: row
        for row in connection.sql(f"select * from {relation}").pl().iter_rows(named=True)
    }


@pytest.fixture(scope="module")
def months(warehouse):
    return rows(warehouse, "marts.fct_team_month", "team_month_id")


def test_teams_carry_their_targets_and_the_unit_their_effort_is_measured_in(warehouse):
    teams = rows(warehouse, "marts.dim_teams", "team")
    assert teams["Payments"]["target_source"] == "default"
    assert teams["Payments"]["target_index"] == pytest.approx(0.25)
    search = teams["Search"]
    assert (search["target_source"], search["moonshot_target_share"]) == ("team", 0.2)
    assert search["target_index"] == pytest.approx(0.35)
    methods = {team: row["effort_method"] for team, row in teams.items()}
    assert methods["Payments"] == methods["Search"] == "person_days"
    assert methods["Platform"] == "story_points"
    assert methods["Mobile"] == "none"  # declared in the rules, no work at all


def test_person_days_by_tier_mix_and_posture(months):
    april = months["Payments|2026-04-01"]
    assert (april["month_label"], april["effort_method"]) == ("2026-04", "person_days")
    assert (april["sure_thing_effort"], april["moonshot_effort"]) == (4, 1)
    assert april["total_effort"] == 5  # p1's Search day counts for Search
    assert april["sure_thing_share"] == pytest.approx(0.8)
    assert april["mix_drift"] == pytest.approx(0.5 * (0.2 + 0.3 + 0.1))
    # 0.5 x 0 + 1 x 0.2 = 0.2, within 0.25 +/- 0.08
    assert april["risk_appetite_index"] == pytest.approx(0.2)
    assert april["posture"] == "balanced"
    search = months["Search|2026-04-01"]
    assert (search["linear_bet_share"], search["posture"]) == (1, "too_bold")


def test_people_belong_to_the_team_they_spent_most_effort_for(months):
    april = months["Payments|2026-04-01"]
    # p1: 1-6 April, 4 working days all attributed; p2: 8-10 April, 2 of 3 attributed
    assert april["people"] == 2
    assert (april["capacity_person_days"], april["attributed_person_days"]) == (7, 6)
    assert april["attribution_coverage"] == pytest.approx(6 / 7)
    search = months["Search|2026-04-01"]
    assert (search["people"], search["attribution_coverage"]) == (0, None)


def test_a_team_without_person_data_falls_back_to_story_points_of_its_active_items(months):
    april = months["Platform|2026-04-01"]
    assert april["effort_method"] == "story_points"
    assert (april["sure_thing_effort"], april["unclassified_effort"]) == (5, 2)
    assert april["sure_thing_share"] == 1
    assert april["unclassified_share"] == pytest.approx(2 / 7)


def test_flow_of_the_month(months):
    march, april = months["Payments|2026-03-01"], months["Payments|2026-04-01"]
    assert (march["arrived_items"], march["completed_items"], march["wip_items"]) == (5, 0, 0)
    assert (april["arrived_items"], april["completed_items"], april["net_flow"]) == (0, 2, -2)
    assert april["throughput_per_week"] == pytest.approx(2 * 7 / 30)
    assert april["cycle_time_p50_days"] == pytest.approx(6)
    assert april["cycle_time_p85_days"] == pytest.approx(2 + 0.85 * 8)
    assert april["lead_time_p50_days"] == pytest.approx(10.5)
    assert april["lead_time_p85_days"] == pytest.approx(4 + 0.85 * 13)
    assert april["flow_efficiency"] == pytest.approx(1)
    # 107, active since 1 April, is older than the team's p85 cycle time at the month's end
    assert (april["wip_items"], april["aging_wip_ratio"]) == (1, 1)
    assert april["aging_threshold_days"] == pytest.approx(2 + 0.85 * 8)


def test_quarters_hold_the_same_metrics_over_the_quarter(warehouse, months):
    quarters = rows(warehouse, "marts.fct_team_quarter", "team_quarter_id")
    q2 = quarters["Payments|2026-04-01"]
    assert (q2["quarter_label"], q2["is_current"]) == ("2026-Q2", True)
    april = months["Payments|2026-04-01"]
    for column in ("sure_thing_share", "mix_drift", "posture", "completed_items", "people"):
        assert q2[column] == april[column], column
    assert (q2["chronic_posture"], q2["guardrail_breach_months"]) == (None, 0)
    assert quarters["Payments|2026-01-01"]["arrived_items"] == 5


def test_say_do_and_carry_over_of_a_sprint(warehouse):
    sprints = rows(warehouse, "marts.fct_team_sprint", "sprint_id")
    assert list(sprints) == [7]
    sprint = sprints[7]
    assert (sprint["team"], sprint["board_name"]) == ("Payments", "PAY board")
    assert (sprint["committed_items"], sprint["committed_done_items"]) == (2, 1)
    assert (sprint["say_do_ratio"], sprint["carry_over_rate"]) == (0.5, 0.5)


def test_the_calendar_labels_its_periods(warehouse):
    [(first, last, label)] = warehouse.sql(
        "select min(date_day), max(date_day), max(quarter_label) from marts.dim_calendar"
    ).fetchall()
    assert (first, last, label) == (date(2026, 3, 30), date(2026, 4, 30), "2026-Q2")
