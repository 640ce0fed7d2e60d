"""The default rules file on the demo organisation: every planted tier is found, for its reason."""

from __future__ import annotations

import pytest

from ingest.classify import classify_issues
from ingest.fields import discover_fields
from ingest.normalize import ISSUE_SCHEMA, frame, issue_row
from ingest.rules import field_ids_from_catalogue, load_rules
from ingest.sandbox.generator import generate_org


@pytest.fixture(scope="module")
def demo():
    org = generate_org(seed=7)
    field_map = discover_fields(org.fields)
    issues = frame([issue_row(i, field_map) for i in org.issues], ISSUE_SCHEMA)
    result = classify_issues(issues, load_rules(), field_ids_from_catalogue(org.fields))
    return org, {row["issue_key"]: row for row in result.issues.iter_rows(named=True)}


def test_every_epic_gets_the_tier_and_reason_the_generator_planted(demo):
    org, out = demo
    # The generator says "unclassified" for epics nothing marks; the classifier's reason is default.
    expected = {
        key: ("unclassified", "default")
        if truth.reason == "unclassified"
        else (truth.tier, truth.reason)
        for key, truth in org.truth.epics.items()
    }
    found = {key: (out[key]["risk_tier"], out[key]["risk_tier_reason"]) for key in expected}
    assert found == expected
    assert {reason.split(":")[0] for _, reason in expected.values()} == {
        "label",
        "inherited",
        "rule",
        "default",
    }


def test_every_unlabelled_project_is_classified_by_a_rule_or_is_unclassified_by_default(demo):
    org, out = demo
    unlabelled = [
        key for key, truth in org.truth.epics.items() if truth.marked_by in ("rule", "none")
    ]
    assert unlabelled
    for key in unlabelled:
        tier, reason = out[key]["risk_tier"], out[key]["risk_tier_reason"]
        assert reason.startswith("rule:") or (tier, reason) == ("unclassified", "default"), key


def test_work_items_carry_their_epics_tier_and_owning_team(demo):
    org, out = demo
    for row in out.values():
        truth = org.truth.epics.get(row["project_id"])
        if truth is not None and row["issue_key"] != row["project_id"]:
            assert row["risk_tier"] == out[row["project_id"]]["risk_tier"], row["issue_key"]
            assert row["owning_team"] == truth.team, row["issue_key"]


def test_orphans_are_unplanned_work_of_their_own_team(demo):
    org, out = demo
    for key in org.truth.orphan_keys:
        team = out[key]["performing_team"]
        assert (out[key]["project_id"], out[key]["project_reason"]) == (
            f"UNPLANNED-{team}",
            "unplanned:orphan",
        )
        assert team in org.truth.teams


def test_helpers_perform_for_their_team_on_another_teams_epic(demo):
    org, out = demo
    assert org.truth.performing_team_overrides
    for key, team in org.truth.performing_team_overrides.items():
        row = out[key]
        assert (row["performing_team"], row["performing_team_reason"]) == (team, "field:Team")
        assert row["owning_team"] == org.truth.epics[row["project_id"]].team != team


def test_children_linked_only_by_the_legacy_epic_link_still_belong_to_their_epic(demo):
    org, out = demo
    for epic in org.truth.epic_link_epics:
        children = [row for row in out.values() if row["project_id"] == epic]
        assert len(children) > 1, epic
