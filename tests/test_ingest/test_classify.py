"""The first rule set: hierarchy walk, team resolution and tier precedence, each with its reason."""

from __future__ import annotations

import polars as pl
import pytest

from ingest.classify import ClassificationRules, TierRule, classify_issues
from ingest.normalize import ISSUE_SCHEMA, frame

LEVELS = {"Initiative": 2, "Epic": 1, "Story": 0, "Bug": 0, "Spike": 0, "Sub-task": -1}


def issue(key: str, issue_type: str = "Story", parent: str | None = None, **fields) -> dict:
    row = dict.fromkeys(ISSUE_SCHEMA)
    row.update(
        issue_id=key.split("-")[1],
        issue_key=key,
        project_key=key.split("-")[0],
        project_name={"PAY": "Payments", "SRCH": "Search"}.get(key.split("-")[0]),
        issue_type=issue_type,
        hierarchy_level=LEVELS[issue_type],
        labels=[],
        parent_key=parent,
    )
    row.update(fields)
    return row


def classify(*rows: dict, rules: ClassificationRules | None = None) -> dict[str, dict]:
    result = classify_issues(frame(list(rows), ISSUE_SCHEMA), rules)
    return {row["issue_key"]: row for row in result.iter_rows(named=True)}


def test_work_items_belong_to_their_epic_through_any_depth():
    out = classify(
        issue("PAY-1", "Epic"),
        issue("PAY-2", parent="PAY-1"),
        issue("PAY-3", "Sub-task", parent="PAY-2"),
    )
    assert {key: out[key]["project_id"] for key in out} == dict.fromkeys(out, "PAY-1")
    assert out["PAY-3"]["project_reason"] == "hierarchy:PAY-1"
    assert out["PAY-3"]["hierarchy_status"] == "ok"


def test_epic_link_field_is_used_when_parent_is_absent():
    out = classify(issue("PAY-1", "Epic"), issue("PAY-2", epic_link_key="PAY-1"))
    assert out["PAY-2"]["project_id"] == "PAY-1"


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        ([issue("PAY-2")], "orphan"),
        ([issue("PAY-2", parent="PAY-99")], "parent_outside_scope"),
        ([issue("PAY-2", parent="PAY-3"), issue("PAY-3", parent="PAY-2")], "cycle"),
        ([issue("PAY-2", "Initiative")], "above_project_level"),
    ],
)
def test_issues_without_an_epic_are_unplanned_work_of_their_team(rows, status):
    out = classify(*rows)
    assert out["PAY-2"]["project_id"] == "UNPLANNED-Payments"
    assert out["PAY-2"]["project_reason"] == f"unplanned:{status}"
    assert out["PAY-2"]["hierarchy_status"] == status


def test_team_field_wins_over_jira_project_and_owning_team_is_the_epics():
    out = classify(
        issue("PAY-1", "Epic"),
        issue("PAY-2", parent="PAY-1", team_name="Platform"),
        issue("PAY-3", parent="PAY-1"),
    )
    assert (out["PAY-2"]["performing_team"], out["PAY-2"]["performing_team_reason"]) == (
        "Platform",
        "field:Team",
    )
    assert (out["PAY-3"]["performing_team"], out["PAY-3"]["performing_team_reason"]) == (
        "Payments",
        "jira_project:PAY",
    )
    assert out["PAY-2"]["owning_team"] == "Payments"
    assert out["PAY-2"]["owning_team_reason"] == "project:jira_project:PAY"


def test_tier_precedence_label_then_initiative_then_rule_then_default():
    out = classify(
        issue("PAY-10", "Initiative", labels=["tier:moonshot"]),
        issue("PAY-1", "Epic", parent="PAY-10", labels=["tier:sure"]),
        issue("PAY-2", "Epic", parent="PAY-10"),
        issue("PAY-3", "Epic", labels=["experiment"]),
        issue("PAY-4", "Epic"),
        issue("PAY-5", parent="PAY-1"),
        issue("PAY-6", parent="PAY-2"),
    )
    decided = {key: (row["risk_tier"], row["risk_tier_reason"]) for key, row in out.items()}
    assert decided["PAY-1"] == ("sure_thing", "label:tier:sure")
    assert decided["PAY-2"] == ("moonshot", "inherited:PAY-10")
    assert decided["PAY-3"] == ("moonshot", "rule:experiment-is-moonshot")
    assert decided["PAY-4"] == ("unclassified", "default")
    assert decided["PAY-5"] == ("sure_thing", "label:tier:sure")
    assert decided["PAY-6"] == ("moonshot", "inherited:PAY-10")


def test_child_with_its_own_tier_label_keeps_it():
    out = classify(
        issue("PAY-1", "Epic", labels=["tier:sure"]),
        issue("PAY-2", parent="PAY-1", labels=["tier:linear"]),
    )
    assert (out["PAY-2"]["risk_tier"], out["PAY-2"]["risk_tier_reason"]) == (
        "linear_bet",
        "label:tier:linear",
    )


def test_unplanned_issues_are_tiered_by_the_rules():
    out = classify(issue("PAY-2", "Bug"), issue("PAY-3", "Story"))
    assert (out["PAY-2"]["risk_tier"], out["PAY-2"]["risk_tier_reason"]) == (
        "sure_thing",
        "rule:maintenance-is-sure-thing",
    )
    assert out["PAY-3"]["risk_tier"] == "unclassified"


def test_rules_are_evaluated_in_their_configured_order():
    rules = ClassificationRules(
        tier_rules=(
            TierRule("bugs-first", "sure_thing", issue_types=("Bug",)),
            TierRule("platform-bets", "linear_bet", labels=("platform",)),
        )
    )
    out = classify(issue("PAY-2", "Bug", labels=["platform"]), rules=rules)
    assert out["PAY-2"]["risk_tier_reason"] == "rule:bugs-first"


def test_every_issue_gets_exactly_one_row():
    rows = [issue("PAY-1", "Epic")] + [issue(f"PAY-{n}", parent="PAY-1") for n in range(2, 50)]
    result = classify_issues(frame(rows, ISSUE_SCHEMA))
    assert result.height == len(rows)
    assert result["issue_id"].n_unique() == len(rows)
    assert result.select(pl.all().exclude("issue_id", "issue_key").null_count()).row(0)[0] == 0
