"""The classifier on hand-made issues: every decision and the reason it names."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml

from ingest.classify import (
    ISSUE_COLUMNS,
    ISSUES_FILE,
    MISSIONS_FILE,
    PROJECT_COLUMNS,
    PROJECTS_FILE,
    TEAM_TARGETS_FILE,
    classify_issues,
    write_classification,
)
from ingest.landing import BatchWriter
from ingest.normalize import ISSUE_SCHEMA, frame
from ingest.rules import Rules, RulesError, parse_rules

LEVELS = {"Initiative": 2, "Epic": 1, "Story": 0, "Bug": 0, "Spike": 0, "Task": 0, "Sub-task": -1}
FIELD_IDS = {"Risk Tier": "customfield_10100", "Business Value": "customfield_10200"}
# Small rules, so that each test reads as: these issues, these rules, this decision and reason.
BASE_RULES = {
    "teams": {
        "declared": ["Payments", "Search"],
        "rules": [
            {"name": "ranking-component", "team": "Search", "when": {"components": "Ranking"}},
            {"name": "pay-project", "team": "Payments", "when": {"project_key": "PAY"}},
        ],
    },
    "risk_tier": {
        "rules": [
            {"name": "experiment", "tier": "moonshot", "when": {"labels": "experiment"}},
            {
                "name": "spike-heavy",
                "tier": "moonshot",
                "when": {"children_issue_type_share": {"Spike": ">= 0.5"}},
            },
            {"name": "bugs", "tier": "sure_thing", "when": {"issue_type": ["Bug", "Incident"]}},
        ]
    },
}


def rules(**sections) -> Rules:
    return parse_rules(yaml.safe_dump({**BASE_RULES, **sections}), "test-rules.yaml")


def issue(key: str, issue_type: str = "Story", parent: str | None = None, **values) -> dict:
    """An ISSUE_SCHEMA row; `fields` become custom fields of its raw JSON, by name."""
    row = dict.fromkeys(ISSUE_SCHEMA)
    custom = {FIELD_IDS[name]: value for name, value in values.pop("fields", {}).items()}
    row.update(
        issue_id=str(abs(hash(key)) % 10**9),
        issue_key=key,
        project_key=key.split("-")[0],
        issue_type=issue_type,
        hierarchy_level=LEVELS[issue_type],
        summary=f"summary of {key}",
        labels=[],
        components=[],
        sprint_ids=[],
        parent_key=parent,
        raw_json=json.dumps({"fields": custom, "key": key}, separators=(",", ":")),
    )
    row.update(values)
    return row


def classify(*rows: dict, rules: Rules | None = None) -> dict[str, dict]:
    result = classify_issues(
        frame(list(rows), ISSUE_SCHEMA), rules or globals()["rules"](), FIELD_IDS
    )
    return {row["issue_key"]: row for row in result.issues.iter_rows(named=True)}


def decided(row: dict, column: str) -> tuple:
    reason = "project_reason" if column == "project_id" else f"{column}_reason"
    return row[column], row[reason]


# -- projects and the hierarchy -------------------------------------------------------------------


def test_every_issue_below_an_epic_belongs_to_it_through_any_depth():
    out = classify(
        issue("PAY-1", "Epic"),
        issue("PAY-2", parent="PAY-1"),
        issue("PAY-3", "Sub-task", parent="PAY-2"),
    )
    for key in out:
        assert decided(out[key], "project_id") == ("PAY-1", "hierarchy:PAY-1")
        assert out[key]["hierarchy_status"] == "ok"


def test_the_epic_link_field_ties_a_story_to_its_epic_when_parent_is_absent():
    out = classify(issue("PAY-1", "Epic"), issue("PAY-2", epic_link_key="PAY-1"))
    assert decided(out["PAY-2"], "project_id") == ("PAY-1", "hierarchy:PAY-1")


@pytest.mark.parametrize("far_id", ["12", "9000000000"], ids=["dense-ids", "sparse-ids"])
def test_parents_are_found_by_their_id_where_the_link_carries_one(far_id):
    out = classify(
        issue("PAY-1", "Epic", issue_id="10"),
        issue("PAY-2", parent="PAY-1", parent_id="10", issue_id="11"),
        issue("PAY-3", parent="PAY-8", parent_id="99", issue_id=far_id),
    )
    assert decided(out["PAY-2"], "project_id") == ("PAY-1", "hierarchy:PAY-1")
    assert decided(out["PAY-3"], "project_id") == (
        "UNPLANNED-Payments",
        "unplanned:parent_outside_scope",
    )


@pytest.mark.parametrize(
    ("rows", "status", "parent_status"),
    [
        ([issue("PAY-2")], "orphan", "none"),
        ([issue("PAY-2", parent="PAY-99")], "parent_outside_scope", "outside_scope"),
        ([issue("PAY-2", parent="PAY-3"), issue("PAY-3", parent="PAY-2")], "cycle", "in_scope"),
        (
            [issue("PAY-2", "Sub-task", parent="PAY-3"), issue("PAY-3", parent="PAY-3")],
            "cycle",
            "in_scope",
        ),
        (
            [issue("PAY-2", parent="PAY-10"), issue("PAY-10", "Initiative")],
            "above_project_level",
            "in_scope",
        ),
    ],
)
def test_issues_without_an_epic_are_unplanned_work_of_their_team(rows, status, parent_status):
    out = classify(*rows)
    assert decided(out["PAY-2"], "project_id") == ("UNPLANNED-Payments", f"unplanned:{status}")
    assert (out["PAY-2"]["hierarchy_status"], out["PAY-2"]["parent_status"]) == (
        status,
        parent_status,
    )
    assert decided(out["PAY-2"], "owning_team") == ("Payments", "unplanned:performing_team")


def test_an_epic_whose_initiative_was_not_extracted_is_flagged_and_still_a_project():
    out = classify(issue("PAY-1", "Epic", parent="STRAT-9"), issue("PAY-2", parent="PAY-1"))
    assert decided(out["PAY-2"], "project_id") == ("PAY-1", "hierarchy:PAY-1")
    assert (out["PAY-1"]["hierarchy_status"], out["PAY-1"]["parent_status"]) == (
        "ok",
        "outside_scope",
    )


def test_initiatives_can_be_the_project_level():
    out = classify(
        issue("STRAT-1", "Initiative"),
        issue("PAY-1", "Epic", parent="STRAT-1"),
        issue("PAY-2", parent="PAY-1"),
        issue("PAY-3", "Epic"),
        rules=rules(project_level="initiative"),
    )
    assert decided(out["PAY-2"], "project_id") == ("STRAT-1", "hierarchy:STRAT-1")
    assert decided(out["PAY-3"], "project_id") == ("UNPLANNED-Payments", "unplanned:orphan")


# -- teams ----------------------------------------------------------------------------------------


def test_the_team_field_wins_over_rules_and_the_project_issue_owns():
    out = classify(
        issue("PAY-1", "Epic"),
        issue("PAY-2", parent="PAY-1", team_name="Search"),
        issue("PAY-3", parent="PAY-1", components=["Ranking"]),
    )
    assert decided(out["PAY-2"], "performing_team") == ("Search", "field:Team")
    assert decided(out["PAY-3"], "performing_team") == ("Search", "rule:ranking-component")
    assert decided(out["PAY-1"], "performing_team") == ("Payments", "rule:pay-project")
    assert decided(out["PAY-2"], "owning_team") == ("Payments", "project:rule:pay-project")


def test_team_rules_apply_in_their_order():
    out = classify(issue("PAY-2", components=["Ranking"]))
    assert decided(out["PAY-2"], "performing_team") == ("Search", "rule:ranking-component")


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("keep", ("Growth", "unknown_team:field:Team")), ("ignore", ("Payments", "rule:pay-project"))],
)
def test_an_undeclared_team_field_value_is_kept_or_ignored(policy, expected):
    teams = {**BASE_RULES["teams"], "unknown_teams": policy}
    out = classify(issue("PAY-2", team_name="Growth"), rules=rules(teams=teams))
    assert decided(out["PAY-2"], "performing_team") == expected


def test_without_team_field_or_rule_the_team_is_explicitly_unassigned():
    out = classify(issue("OPS-2"))
    assert decided(out["OPS-2"], "performing_team") == ("unassigned", "default")
    assert decided(out["OPS-2"], "project_id") == ("UNPLANNED-unassigned", "unplanned:orphan")


def test_the_jira_project_fallback_names_the_team_after_its_project():
    teams = {**BASE_RULES["teams"], "fallback": "jira_project"}
    out = classify(
        issue("OPS-2", project_name="Operations"), issue("PAY-3"), rules=rules(teams=teams)
    )
    assert decided(out["OPS-2"], "performing_team") == ("Operations", "jira_project:OPS")
    # a rule still decides before the fallback
    assert decided(out["PAY-3"], "performing_team") == ("Payments", "rule:pay-project")


# -- risk tiers -----------------------------------------------------------------------------------

TIER_FIELD = {"name": "Risk Tier", "values": {"High": "moonshot", "Low": "sure_thing"}}


@pytest.mark.parametrize(
    ("epic", "expected"),
    [
        (
            {"fields": {"Risk Tier": {"value": "High"}}, "labels": ["tier:sure", "experiment"]},
            ("moonshot", "field:Risk Tier=High"),
        ),
        ({"labels": ["tier:sure", "experiment"]}, ("sure_thing", "label:tier:sure")),
        ({"labels": ["experiment"]}, ("linear_bet", "inherited:STRAT-1")),
        ({"labels": ["experiment"], "parent_key": None}, ("moonshot", "rule:experiment")),
        ({"parent_key": None}, ("unclassified", "default")),
        # a value the map does not know falls through to the next source
        (
            {"fields": {"Risk Tier": "Unsure"}, "labels": ["tier:sure"]},
            ("sure_thing", "label:tier:sure"),
        ),
    ],
    ids=["field", "label", "inherited", "rule", "default", "unmapped-field-value"],
)
def test_tier_precedence_field_label_inherited_rule_default(epic, expected):
    risk_tier = {**BASE_RULES["risk_tier"], "field": TIER_FIELD}
    epic_row = issue("PAY-1", "Epic", parent="STRAT-1")
    epic_row.update(issue("PAY-1", "Epic", **{"parent": "STRAT-1", **epic}))
    out = classify(
        issue("STRAT-1", "Initiative", labels=["tier:linear"]),
        epic_row,
        issue("PAY-2", parent="PAY-1"),
        rules=rules(risk_tier=risk_tier),
    )
    assert decided(out["PAY-1"], "risk_tier") == expected
    assert decided(out["PAY-2"], "risk_tier") == expected  # children carry the project's


def test_precedence_is_the_order_the_file_gives():
    risk_tier = {**BASE_RULES["risk_tier"], "precedence": ["rule", "label"]}
    out = classify(
        issue("PAY-1", "Epic", labels=["tier:sure", "experiment"]), rules=rules(risk_tier=risk_tier)
    )
    assert decided(out["PAY-1"], "risk_tier") == ("moonshot", "rule:experiment")


def test_a_child_with_its_own_field_or_label_tier_keeps_it():
    out = classify(
        issue("PAY-1", "Epic", labels=["tier:sure"]),
        issue("PAY-2", parent="PAY-1", labels=["tier:moonshot"]),
        issue("PAY-3", parent="PAY-1", fields={"Risk Tier": {"value": "High"}}),
        issue("PAY-4", parent="PAY-1", labels=["experiment"]),  # a rule is no explicit tier
        rules=rules(risk_tier={**BASE_RULES["risk_tier"], "field": TIER_FIELD}),
    )
    assert decided(out["PAY-2"], "risk_tier") == ("moonshot", "label:tier:moonshot")
    assert decided(out["PAY-3"], "risk_tier") == ("moonshot", "field:Risk Tier=High")
    assert decided(out["PAY-4"], "risk_tier") == ("sure_thing", "label:tier:sure")


def test_inheritance_takes_the_nearest_ancestor_with_a_tier():
    out = classify(
        issue("STRAT-1", "Initiative", labels=["tier:moonshot"]),
        issue("STRAT-2", "Initiative", parent="STRAT-1", fields={"Risk Tier": "Low"}),
        issue("PAY-1", "Epic", parent="STRAT-2"),
        issue("PAY-2", "Epic", parent="STRAT-3"),
        issue("STRAT-3", "Initiative", parent="STRAT-1"),
        rules=rules(risk_tier={**BASE_RULES["risk_tier"], "field": TIER_FIELD}),
    )
    assert decided(out["PAY-1"], "risk_tier") == ("sure_thing", "inherited:STRAT-2")
    assert decided(out["PAY-2"], "risk_tier") == ("moonshot", "inherited:STRAT-1")


def test_rules_over_a_projects_children_use_their_issue_type_share():
    spiky = [issue(f"PAY-{n}", "Spike", parent="PAY-1") for n in (2, 3)]
    out = classify(
        issue("PAY-1", "Epic"),
        *spiky,
        issue("PAY-4", parent="PAY-1"),
        issue("PAY-5", "Epic"),
        issue("PAY-6", "Spike", parent="PAY-5"),
        *[issue(f"PAY-{n}", parent="PAY-5") for n in (7, 8)],
    )
    assert decided(out["PAY-1"], "risk_tier") == ("moonshot", "rule:spike-heavy")
    assert decided(out["PAY-4"], "risk_tier") == ("moonshot", "rule:spike-heavy")
    assert decided(out["PAY-5"], "risk_tier") == ("unclassified", "default")


def test_work_outside_any_project_is_tiered_on_its_own_issue():
    out = classify(issue("PAY-2", "Bug"), issue("PAY-3"), issue("PAY-4", "Task", parent="PAY-5"))
    assert decided(out["PAY-2"], "risk_tier") == ("sure_thing", "rule:bugs")
    assert decided(out["PAY-3"], "risk_tier") == ("unclassified", "default")
    assert decided(out["PAY-4"], "risk_tier") == ("unclassified", "default")


def test_an_issue_above_the_project_level_inherits_from_its_initiative():
    out = classify(
        issue("STRAT-1", "Initiative", labels=["tier:linear"]), issue("PAY-2", parent="STRAT-1")
    )
    assert decided(out["PAY-2"], "risk_tier") == ("linear_bet", "inherited:STRAT-1")


def test_of_several_tier_labels_the_first_configured_wins():
    out = classify(issue("PAY-1", "Epic", labels=["tier:moonshot", "tier:sure"]))
    assert decided(out["PAY-1"], "risk_tier") == ("sure_thing", "label:tier:sure")


# -- success curve, impact, p_success -----------------------------------------------------------


def test_success_curve_by_label_rule_or_tier():
    curve = {
        "labels": {"curve:binary": "binary"},
        "rules": [
            {"name": "launches", "curve": "binary", "when": {"summary_matches": "(?i)launch"}}
        ],
    }
    out = classify(
        issue("PAY-1", "Epic", labels=["tier:moonshot"]),
        issue("PAY-2", parent="PAY-1"),
        issue("PAY-3", "Epic", labels=["tier:sure", "curve:binary"]),
        issue("PAY-4", "Epic", summary="Launch the new checkout"),
        issue("PAY-5", "Epic", labels=["tier:sure"]),
        rules=rules(success_curve=curve),
    )
    assert decided(out["PAY-2"], "success_curve") == ("binary", "tier:moonshot")
    assert decided(out["PAY-3"], "success_curve") == ("binary", "label:curve:binary")
    assert decided(out["PAY-4"], "success_curve") == ("binary", "rule:launches")
    assert decided(out["PAY-5"], "success_curve") == ("linear", "tier:sure_thing")


def test_impact_comes_from_the_configured_number_field_of_the_project():
    out = classify(
        issue("PAY-1", "Epic", fields={"Business Value": 40}),
        issue("PAY-2", parent="PAY-1", fields={"Business Value": 3}),
        issue("PAY-3", "Epic"),
        rules=rules(impact={"field": "Business Value", "default": 2}),
    )
    assert decided(out["PAY-2"], "impact") == (40.0, "field:Business Value")
    assert decided(out["PAY-3"], "impact") == (2.0, "default:Business Value empty")
    assert decided(classify(issue("PAY-1", "Epic"))["PAY-1"], "impact") == (1.0, "default")


def test_p_success_follows_the_issues_own_tier():
    out = classify(
        issue("PAY-1", "Epic", labels=["tier:moonshot"]),
        issue("PAY-2", parent="PAY-1", labels=["tier:linear"]),
        issue("PAY-3"),
    )
    assert decided(out["PAY-1"], "p_success") == (0.2, "tier:moonshot")
    assert decided(out["PAY-2"], "p_success") == (0.6, "tier:linear_bet")
    assert decided(out["PAY-3"], "p_success") == (0.6, "tier:unclassified")


# -- work type and unplanned work -----------------------------------------------------------------


def test_work_type_labels_first_then_issue_type_then_default():
    work_type = {"labels": {"tech-debt": "debt"}, "issue_types": {"Bug": "defect"}}
    out = classify(
        issue("PAY-2", "Bug", labels=["tech-debt"]),
        issue("PAY-3", "Bug"),
        issue("PAY-4"),
        rules=rules(work_type=work_type),
    )
    assert decided(out["PAY-2"], "work_type") == ("debt", "label:tech-debt")
    assert decided(out["PAY-3"], "work_type") == ("defect", "issue_type:Bug")
    assert decided(out["PAY-4"], "work_type") == ("feature", "default")


def test_bugs_incidents_and_support_work_are_unplanned():
    out = classify(
        issue("PAY-2", "Bug"),
        issue("PAY-3", labels=["support"]),
        issue("PAY-4"),
        rules=rules(unplanned={"issue_types": ["Bug"], "labels": ["support"]}),
    )
    assert decided(out["PAY-2"], "is_unplanned") == (True, "issue_type:Bug")
    assert decided(out["PAY-3"], "is_unplanned") == (True, "label:support")
    assert decided(out["PAY-4"], "is_unplanned") == (False, "default")


# -- missions -------------------------------------------------------------------------------------

MISSIONS = [
    {"name": "Aurora", "deadline": "2027-06-30", "initiatives": ["STRAT-1"]},
    {"name": "Growth", "deadline": "2027-03-31", "labels": ["growth"]},
    {
        "name": "Speed",
        "deadline": "2026-12-31",
        "rules": [{"name": "speed", "when": {"summary_matches": "(?i)faster"}}],
    },
]


def test_missions_are_recognised_by_initiative_label_or_rule_on_the_project_or_above():
    out = classify(
        issue("STRAT-1", "Initiative"),
        issue("PAY-1", "Epic", parent="STRAT-1", labels=["growth"]),
        issue("PAY-2", parent="PAY-1"),
        issue("PAY-3", "Epic", labels=["growth"]),
        issue("PAY-4", "Epic", summary="Make checkout faster"),
        issue("PAY-5", "Epic"),
        rules=rules(missions=MISSIONS),
    )
    # PAY-1 is recognised by Aurora (via STRAT-1) and Growth: the first in the file wins.
    assert decided(out["PAY-2"], "mission") == ("Aurora", "initiative:STRAT-1")
    assert decided(out["PAY-3"], "mission") == ("Growth", "label:growth@PAY-3")
    assert decided(out["PAY-4"], "mission") == ("Speed", "rule:speed@PAY-4")
    assert decided(out["PAY-5"], "mission") == (None, "none")


# -- fields from the raw JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"self": "https://x/option/1", "value": "High", "id": "1"}, "High"),  # select list
        ([{"value": "High"}, {"value": "Low"}], "High"),  # multi-select: the first value
        ("High", "High"),  # text
        ({"name": "High", "avatarUrls": {"16x16": "https://x"}}, "High"),  # nested object
    ],
)
def test_field_values_are_read_by_name_from_the_raw_json(value, expected):
    out = classify(
        issue("PAY-1", "Epic", fields={"Risk Tier": value}),
        rules=rules(risk_tier={**BASE_RULES["risk_tier"], "field": TIER_FIELD}),
    )
    assert decided(out["PAY-1"], "risk_tier") == ("moonshot", f"field:Risk Tier={expected}")


def test_a_field_condition_in_a_rule_reads_the_field_by_name():
    risk_tier = {
        "rules": [
            {"name": "big-bets", "tier": "moonshot", "when": {"fields": {"Risk Tier": "Big"}}}
        ]
    }
    out = classify(
        issue("PAY-1", "Epic", fields={"Risk Tier": "Big"}), rules=rules(risk_tier=risk_tier)
    )
    assert decided(out["PAY-1"], "risk_tier") == ("moonshot", "rule:big-bets")


def test_a_field_missing_from_the_catalogue_is_an_error_naming_key_and_field():
    risk_tier = {"field": {"name": "Risk Teir", "values": {"High": "moonshot"}}}
    with pytest.raises(RulesError) as error:
        classify(issue("PAY-1", "Epic"), rules=rules(risk_tier=risk_tier))
    assert "risk_tier.field.name: field 'Risk Teir' is not in the site's field catalogue" in str(
        error.value
    )
    assert "close matches: 'Risk Tier'" in str(error.value)


def test_without_a_catalogue_rules_reading_fields_cannot_run():
    configured = rules(impact={"field": "Business Value"})
    with pytest.raises(
        RulesError, match="impact.field: reads field 'Business Value', but no field catalogue"
    ):
        classify_issues(frame([issue("PAY-1", "Epic")], ISSUE_SCHEMA), configured)


# -- output tables --------------------------------------------------------------------------------


def test_projects_get_one_row_each_and_unplanned_work_one_bucket_per_team():
    issues = [
        issue("PAY-1", "Epic", labels=["tier:moonshot"]),
        issue("PAY-2", parent="PAY-1"),
        issue("PAY-3", "Bug"),
        issue("PAY-4"),
    ]
    projects = classify_issues(frame(issues, ISSUE_SCHEMA), rules(), FIELD_IDS).projects
    assert projects.columns == list(PROJECT_COLUMNS)
    rows = {row["project_id"]: row for row in projects.iter_rows(named=True)}
    assert set(rows) == {"PAY-1", "UNPLANNED-Payments"}
    assert decided(rows["PAY-1"], "risk_tier") == ("moonshot", "label:tier:moonshot")
    assert (rows["PAY-1"]["issue_count"], rows["UNPLANNED-Payments"]["issue_count"]) == (2, 2)
    bucket = rows["UNPLANNED-Payments"]
    assert bucket["is_unplanned_project"]
    assert decided(bucket, "risk_tier") == (None, "unplanned:per_issue")


def test_write_classification_replaces_its_files_and_reads_the_landed_field_catalogue(
    tmp_path: Path,
):
    landing = tmp_path / "landing"
    rows = [
        issue("PAY-1", "Epic", fields={"Risk Tier": {"value": "High"}}),
        issue("PAY-2", parent="PAY-1"),
    ]
    catalogue = pl.DataFrame({"field_id": list(FIELD_IDS.values()), "field_name": list(FIELD_IDS)})
    with BatchWriter(landing, "b1") as batch:
        batch.write_part("issues", frame(rows, ISSUE_SCHEMA))
        batch.write_part("fields", catalogue)
        batch.commit({})
    output = tmp_path / "classified"
    configured = rules(risk_tier={**BASE_RULES["risk_tier"], "field": TIER_FIELD})
    for _ in range(2):  # a second run replaces the files
        write_classification(landing, output, configured)
    expected_files = [ISSUES_FILE, PROJECTS_FILE, TEAM_TARGETS_FILE, MISSIONS_FILE]
    assert sorted(p.name for p in output.iterdir()) == sorted(expected_files)
    written = pl.read_parquet(output / ISSUES_FILE)
    assert written.columns == list(ISSUE_COLUMNS)
    assert written["issue_key"].to_list() == ["PAY-1", "PAY-2"]
    assert written["risk_tier_reason"].to_list() == ["field:Risk Tier=High"] * 2


def test_a_link_to_a_key_two_issues_share_is_refused_not_guessed():
    with pytest.raises(ValueError, match=r"issue keys are not unique \(PAY-1\)"):
        classify(
            issue("PAY-1", "Epic"),
            {**issue("PAY-1", "Epic"), "issue_id": "2"},
            issue("PAY-2", parent="PAY-1"),
        )


def test_every_known_team_gets_its_own_tier_targets_or_the_default():
    configured = rules(
        tier_targets={
            "default": {"sure_thing": 0.6, "linear_bet": 0.3, "moonshot": 0.1},
            "teams": {"Search": {"sure_thing": 0.5, "linear_bet": 0.3, "moonshot": 0.2}},
        }
    )
    rows = [issue("PAY-1", "Epic"), issue("OPS-1")]
    targets = classify_issues(frame(rows, ISSUE_SCHEMA), configured, FIELD_IDS).team_tier_targets
    by_team = {
        team: dict(zip(group["risk_tier"], group["target_share"], strict=True))
        for (team,), group in targets.group_by("team")
    }
    # Declared teams, and the team the fallback found for OPS, all get all three tiers.
    assert set(by_team) == {"Payments", "Search", "unassigned"}
    assert by_team["Search"] == {"sure_thing": 0.5, "linear_bet": 0.3, "moonshot": 0.2}
    assert by_team["unassigned"] == {"sure_thing": 0.6, "linear_bet": 0.3, "moonshot": 0.1}
    sources = dict(targets.select("team", "target_source").unique().iter_rows())
    assert sources == {"Payments": "default", "Search": "team", "unassigned": "default"}


def test_configured_missions_are_listed_even_when_no_project_matches():
    configured = rules(missions=[{"name": "Aurora", "deadline": "2027-06-30", "labels": ["x"]}])
    rows = [issue("PAY-1", "Epic")]
    missions = classify_issues(frame(rows, ISSUE_SCHEMA), configured, FIELD_IDS).missions
    assert missions.to_dicts() == [
        {"mission": "Aurora", "deadline": date(2027, 6, 30), "mission_order": 1}
    ]
