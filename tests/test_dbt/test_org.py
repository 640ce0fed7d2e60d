"""Cross-team metrics (spec section 7) on a small portfolio worked out by hand, as of 2026-06-15.

Payments (Jira project PAY) runs five epics, Search one, and one epic lives in a Jira project no
rule or name resolves to a team. The default rules file puts epics labelled `self-serve` into the
mission "Self-serve analytics" and epics under an initiative about Aurora into "Project Aurora".

    PAY-1  sure, self-serve  due 05-15 from the start      done 05-10
    PAY-2  linear            due 06-30                     in progress
    PAY-3  moonshot          due 05-01, moved to 08-01 on 04-10, not started
    PAY-4  sure              created 04-05, due 05-20      done 05-19
    PAY-5  sure              no due date                   in progress; its story blocks SRCH-61
    PAY-8  moonshot                                        closed Won't Do on 03-20
    SRCH-6 Aurora            no due date                   in progress
    X-7    Aurora, no team   due 09-30                     not started

Effort (worklogs, one person-day each): alice on PAY-8's story 03-10 and PAY-1's story 03-11
(Q1), on PAY-1's story 04-06 and 04-08 and PAY-2's story 04-07 (Q2); bob on SRCH-6's story 06-10.
"""

from __future__ import annotations

from datetime import date

import pytest

AS_OF = "2026-06-15"
Q1, Q2 = date(2026, 1, 1), date(2026, 4, 1)
SELF_SERVE, AURORA = "Self-serve analytics", "Project Aurora"
CREATED = "2026-03-01T09:00"


@pytest.fixture(scope="module")
def warehouse(build_warehouse, jira):
    def epic(issue_id, key, status="1", category="new", parent=None, **fields):
        project_key = key.split("-")[0] if not key.startswith("X-") else None
        return jira.issue(
            issue_id,
            fields.pop("created", CREATED),
            status,
            category,
            issue_key=key,
            project_key=project_key,
            project_name={"PAY": "Payments", "SRCH": "Search"}.get(project_key),
            issue_type="Epic",
            hierarchy_level=1,
            summary=f"Epic {key}",
            parent_id=parent,
            **fields,
        )

    def story(issue_id, key, parent, status="3", category="indeterminate", **fields):
        project_key = key.split("-")[0]
        return jira.issue(
            issue_id,
            CREATED,
            status,
            category,
            issue_key=key,
            project_key=project_key,
            project_name={"PAY": "Payments", "SRCH": "Search"}[project_key],
            parent_id=parent,
            **fields,
        )

    done = {"status": "10001", "category": "done"}
    active = {"status": "3", "category": "indeterminate"}
    issues = [
        jira.issue(
            "100",
            CREATED,
            "3",
            "indeterminate",
            issue_key="STRAT-1",
            project_key="STRAT",
            project_name="Strategy",
            issue_type="Initiative",
            hierarchy_level=2,
            summary="Aurora launch",
        ),
        epic("1", "PAY-1", **done, labels=["self-serve", "tier:sure"], due_date=date(2026, 5, 15)),
        story("11", "PAY-11", "1", "10001", "done"),
        epic("2", "PAY-2", **active, labels=["tier:linear"], due_date=date(2026, 6, 30)),
        story("21", "PAY-21", "2"),
        epic("3", "PAY-3", labels=["tier:moonshot"], due_date=date(2026, 8, 1)),
        epic(
            "4",
            "PAY-4",
            **done,
            labels=["tier:sure"],
            due_date=date(2026, 5, 20),
            created="2026-04-05T09:00",
        ),
        epic("5", "PAY-5", **active, labels=["tier:sure"]),
        story("51", "PAY-51", "5"),
        epic("8", "PAY-8", **done, labels=["tier:moonshot"], resolution="Won't Do"),
        story("81", "PAY-81", "8", "10001", "done"),
        epic("6", "SRCH-6", **active, parent="100"),
        story("61", "SRCH-61", "6"),
        epic("7", "X-7", parent="100", due_date=date(2026, 9, 30)),
    ]

    def lifecycle(issue_id, started=None, closed=None):
        """To Do -> In Progress on `started` (09:00) -> Done on `closed` (12:00)."""
        steps = [(f"{started}T09:00", "1", "3")] if started else []
        if closed:
            steps.append((f"{closed}T12:00", "3" if started else "1", "10001"))
        return jira.status_changes(issue_id, *steps)

    changelog = [
        *lifecycle("1", "2026-03-02", "2026-05-10"),
        *lifecycle("11", "2026-03-02", "2026-05-08"),
        *lifecycle("2", "2026-03-02"),
        *lifecycle("21", "2026-03-02"),
        jira.change(
            "3", "2026-04-10T09:00", "duedate", "2026-05-01", "2026-08-01", field_id="duedate"
        ),
        *lifecycle("4", "2026-04-06", "2026-05-19"),
        *lifecycle("5", "2026-03-02"),
        *lifecycle("51", "2026-03-02"),
        *lifecycle("8", closed="2026-03-20"),
        *lifecycle("81", "2026-03-02", "2026-03-12"),
        *lifecycle("6", "2026-03-02"),
        *lifecycle("61", "2026-03-02"),
    ]
    worklogs = [
        jira.worklog("1", "81", "alice", "2026-03-10T09:00", 8),
        jira.worklog("2", "11", "alice", "2026-03-11T09:00", 8),
        jira.worklog("3", "11", "alice", "2026-04-06T09:00", 8),
        jira.worklog("4", "21", "alice", "2026-04-07T09:00", 8),
        jira.worklog("5", "11", "alice", "2026-04-08T09:00", 8),
        jira.worklog("6", "61", "bob", "2026-06-10T09:00", 8),
    ]
    blocks = {"link_id": "900", "link_type": "Blocks"}
    links = [
        {
            **blocks,
            "issue_id": "51",
            "direction": "outward",
            "link_verb": "blocks",
            "other_issue_id": "61",
            "other_issue_key": "SRCH-61",
        },
        {
            **blocks,
            "issue_id": "61",
            "direction": "inward",
            "link_verb": "is blocked by",
            "other_issue_id": "51",
            "other_issue_key": "PAY-51",
        },
    ]
    users = [
        {"account_id": "alice", "display_name": "Alice", "active": True},
        {"account_id": "bob", "display_name": "Bob", "active": True},
    ]
    return build_warehouse(
        [],
        [],
        {
            "issues": issues,
            "changelog_items": changelog,
            "worklogs": worklogs,
            "issue_links": links,
            "users": users,
        },
        dbt_vars={"as_of_date": AS_OF},
        select="+path:models/marts/org",
    )


def rows(warehouse, model: str, key: str) -> dict:
    return {row[key]: row for row in warehouse.sql(f"select * from marts.{model}").pl().to_dicts()}


@pytest.fixture(scope="module")
def org(warehouse):
    return rows(warehouse, "fct_org_quarter", "quarter_start")


@pytest.fixture(scope="module")
def coverage(warehouse):
    return rows(warehouse, "fct_mission_coverage", "mission")


def test_predictability_is_delivered_over_planned_impact_of_the_quarter_commitments(org):
    q2 = org[Q2]
    # committed: open on 04-01 with a due date in Q2 then: PAY-1 (0.9), PAY-2 (0.6) and PAY-3
    # (0.2; its due date moved out of the quarter later); PAY-4 was created after 04-01
    assert q2["committed_projects"] == 3
    assert q2["planned_expected_impact"] == pytest.approx(1.7)
    assert q2["delivered_committed_projects"] == 1
    assert q2["delivered_planned_expected_impact"] == pytest.approx(0.9)
    assert q2["predictability"] == pytest.approx(0.9 / 1.7)
    assert q2["is_predictability_healthy"] is False
    # delivered in Q2, committed or not: PAY-1 and PAY-4
    assert (q2["delivered_projects"], q2["delivered_expected_impact"]) == (2, pytest.approx(1.8))
    assert org[Q1]["committed_projects"] == 0
    assert org[Q1]["predictability"] is None


def test_strategic_alignment_is_the_share_of_effort_on_mission_work(org):
    # Q2: PAY-1's story twice (self-serve) and SRCH-6's (Aurora), of four person-days
    assert org[Q2]["effort_person_days"] == pytest.approx(4)
    assert org[Q2]["strategic_alignment"] == pytest.approx(3 / 4)
    assert org[Q1]["strategic_alignment"] == pytest.approx(1 / 2)


def test_org_mix_and_the_warning_when_every_team_leans_the_same_way(org):
    q1, q2 = org[Q1], org[Q2]
    # Search's work is unclassified: Payments alone makes the classified mix
    assert (q2["sure_thing_share"], q2["linear_bet_share"], q2["moonshot_share"]) == (
        pytest.approx(2 / 3),
        pytest.approx(1 / 3),
        pytest.approx(0),
    )
    assert q2["mix_drift"] == pytest.approx(0.5 * (2 / 3 - 0.6 + 1 / 3 - 0.3 + 0.1))
    # index 1/6 is below 0.25 - 0.08: risk averse; Q1's half moonshots are too bold
    assert (q2["risk_averse_teams"], q2["teams_with_classified_effort"]) == (1, 1)
    assert (q2["prevailing_lean"], q2["is_lean_unanimous"]) == ("risk_averse", True)
    assert (q1["prevailing_lean"], q1["too_bold_teams"]) == ("too_bold", 1)


def test_impact_concentration_and_impact_at_risk_of_the_open_portfolio(org, warehouse):
    q2 = org[Q2]
    assert org[Q1]["open_projects"] is None  # a past quarter: the open portfolio is today's
    # open: PAY-5 0.9, then PAY-2, SRCH-6 and X-7 0.6 each (unclassified counts as a bet), PAY-3
    # 0.2; 2.9 in all, and PAY-5 + PAY-2 are the first to reach half of it
    assert (q2["open_projects"], q2["open_expected_impact"]) == (5, pytest.approx(2.9))
    assert (q2["impact_core_projects"], q2["impact_core_members"]) == (2, "PAY-5, PAY-2")
    assert q2["top_5_impact_share"] == pytest.approx(1)
    # the delivery statuses are fct_project_health's
    at_risk = warehouse.sql(
        "select coalesce(sum(expected_impact), 0) from marts.fct_project_health"
        " where delivery_status in ('at_risk', 'off_track') and not is_project_closed"
        " and not is_unplanned_project"
    ).fetchall()[0][0]
    assert q2["impact_at_risk_share"] == pytest.approx(at_risk / 2.9)


def test_swing_cadence_after_a_cancelled_moonshot(warehouse):
    swing = {
        row["quarter_start"]: row
        for row in warehouse.sql("select * from marts.fct_team_swing where team = 'Payments'")
        .pl()
        .to_dicts()
    }
    assert swing[Q1]["failed_moonshot_projects"] == "PAY-8"
    # Q1 half sure things, Q2 two thirds: the team retreated to safe work
    assert swing[Q1]["sure_thing_share_change_after_failure"] == pytest.approx(2 / 3 - 1 / 2)
    assert swing[Q1]["quarters_since_moonshot_target"] == 0
    assert swing[Q2]["quarters_since_moonshot_target"] == 1
    assert swing[Q2]["failed_moonshots"] == 0


def test_a_finished_mission_has_no_active_project_and_no_recent_effort(coverage):
    self_serve = coverage[SELF_SERVE]
    assert (self_serve["project_count"], self_serve["open_project_count"]) == (1, 0)
    assert self_serve["has_no_active_project"] and self_serve["has_no_recent_effort"]
    assert not self_serve["has_unowned_project"] and not self_serve["has_undated_project"]
    assert self_serve["gap_count"] == 2


def test_the_critical_path_takes_in_blockers_and_every_gap_names_its_projects(coverage, warehouse):
    aurora = coverage[AURORA]
    assert aurora["projects"] == "SRCH-6, X-7"
    # PAY-5's open story blocks SRCH-6's open story
    assert aurora["critical_path_projects"] == "PAY-5, SRCH-6, X-7"
    assert aurora["blocking_project_count"] == 1
    assert aurora["recent_effort_person_days"] == pytest.approx(1)
    assert not aurora["has_no_active_project"]
    # Search finished nothing in the forecast's history window: the simulation never finishes
    assert (aurora["p_done_by_deadline"], aurora["p50_finish_date"]) == (0, None)
    assert aurora["gap_reasons"].split("; ") == [
        "P(done by the deadline) 0.0 < 0.5, median finish beyond the forecast horizon",
        "critical-path project(s) without a due date: PAY-5, SRCH-6",
        "critical-path project(s) without an owning team: X-7",
        "no effort in the last 28 days on critical-path project(s) PAY-5, X-7",
    ]
    blocker = warehouse.sql(
        "select blocks_projects, is_mission_project from marts.fct_mission_projects"
        " where mission = 'Project Aurora' and project_id = 'PAY-5'"
    ).fetchall()
    assert blocker == [("SRCH-6", False)]


def test_delivered_projects_and_people(warehouse):
    delivered = rows(warehouse, "fct_delivered_projects", "project_id")
    assert sorted(delivered) == ["PAY-1", "PAY-4"]
    assert delivered["PAY-1"]["mission"] == SELF_SERVE
    assert delivered["PAY-1"]["quarter_start"] == Q2
    assert delivered["PAY-1"]["is_on_time"] is True
    assert delivered["PAY-1"]["effort_person_days"] == pytest.approx(3)
    people = rows(warehouse, "dim_people", "account_id")
    assert (people["alice"]["main_team"], people["alice"]["total_effort_person_days"]) == (
        "Payments",
        pytest.approx(5),
    )
    assert people["bob"]["main_team"] == "Search"
