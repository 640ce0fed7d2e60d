"""The facts the demo generator planted (OrgTruth.planted), found by name in the published marts,
each with the reason the warehouse gives for it."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(published):
    data_dir, _ = published
    with duckdb.connect(str(data_dir / "published" / "portfolio.duckdb"), read_only=True) as db:
        yield db


@pytest.fixture(scope="module")
def planted(org):
    return org.truth.planted


def project(warehouse, key: str) -> dict:
    relation = warehouse.sql(
        "select * from marts.fct_project_health where project_id = ?", params=[key]
    )
    [row] = relation.fetchall()
    return dict(zip(relation.columns, row, strict=True))


def recent_postures(warehouse, team: str) -> list[tuple[str, str | None]]:
    """(posture, chronic posture) of the team's last three complete quarters."""
    return warehouse.sql(
        "select posture, chronic_posture from marts.fct_team_quarter "
        "where team = ? and not is_current order by quarter_start desc limit 3",
        params=[team],
    ).fetchall()


@pytest.mark.parametrize(
    ("truth", "posture"),
    [("risk_averse_team", "risk_averse"), ("too_bold_team", "too_bold")],
)
def test_the_planted_chronic_postures_are_found(warehouse, planted, truth, posture):
    quarters = recent_postures(warehouse, getattr(planted, truth))
    assert sum(found == posture for found, _ in quarters) >= 2, quarters
    assert quarters[0][1] == posture, quarters  # chronic as of the last complete quarter


def test_the_balanced_team_is_balanced(warehouse, planted):
    quarters = recent_postures(warehouse, planted.balanced_team)
    assert sum(found == "balanced" for found, _ in quarters) >= 2, quarters
    assert quarters[0][1] is None, quarters


def test_the_project_whose_scope_grew_is_at_risk_for_its_growth(warehouse, planted):
    row = project(warehouse, planted.scope_growth_at_risk_epic)
    assert row["scope_growth"] > 0.30
    assert row["delivery_status"] == "at_risk"
    assert "scope growth" in row["delivery_status_reason"]


def test_the_stale_project_is_off_track_and_says_it_is_stale(warehouse, planted):
    row = project(warehouse, planted.stale_epic)
    assert row["staleness_days"] > 14
    assert row["delivery_status"] == "off_track"
    assert "days without change" in row["delivery_status_reason"]


def test_the_blocked_project_is_blocked_because_flagged(warehouse, planted):
    row = project(warehouse, planted.blocked_epic)
    assert row["delivery_status"] == "blocked"
    assert "flagged" in row["delivery_status_reason"]


def test_the_failed_moonshot_is_followed_by_a_rebalancing_quarter(warehouse, planted):
    [(failed, change)] = warehouse.sql(
        "select failed_moonshot_projects, sure_thing_share_change_after_failure "
        "from marts.fct_team_swing where team = ? and quarter_start = ?",
        params=[planted.failed_moonshot_team, planted.failed_moonshot_quarter],
    ).fetchall()
    assert planted.failed_moonshot_epic in failed
    assert change > 0
    row = project(warehouse, planted.failed_moonshot_epic)
    assert row["is_project_cancelled"] and "cancelled" in row["delivery_status_reason"]


def test_the_mission_gap_names_the_idle_critical_path_project(warehouse, planted):
    [(has_gap, reasons)] = warehouse.sql(
        "select has_no_recent_effort, gap_reasons from marts.fct_mission_coverage "
        "where mission = ?",
        params=[planted.gap_mission],
    ).fetchall()
    assert has_gap
    [(idle, on_path)] = warehouse.sql(
        "select is_idle, is_on_critical_path from marts.fct_mission_projects "
        "where mission = ? and project_id = ?",
        params=[planted.gap_mission, planted.gap_mission_epic],
    ).fetchall()
    assert idle and on_path
    assert planted.gap_mission_epic in reasons


def test_a_few_projects_hold_most_of_the_expected_impact(warehouse, planted):
    core = {
        key
        for (key,) in warehouse.sql(
            "select project_id from marts.fct_project_health where is_in_impact_core"
        ).fetchall()
    }
    assert core == set(planted.impact_core_epics)
    [(size, members)] = warehouse.sql(
        "select impact_core_projects, impact_core_members from marts.fct_org_quarter "
        "where is_current"
    ).fetchall()
    assert size == len(planted.impact_core_epics)
    assert set(members.split(", ")) == set(planted.impact_core_epics)
