"""Properties over random organisations (broken links, cycles, unknown teams included): the
classifier is deterministic, and every issue gets exactly one project, one team and one tier."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.classify import ALL_TIERS, UNPLANNED_PREFIX, classify_issues
from ingest.normalize import ISSUE_SCHEMA, frame
from ingest.rules import load_rules

LEVELS = {"Initiative": 2, "Epic": 1, "Story": 0, "Bug": 0, "Spike": 0, "Sub-task": -1}
LABELS = ["tier:sure", "tier:linear", "tier:moonshot", "experiment", "maintenance", "support"]
TEAMS = ["Payments", "Search", "Growth"]  # Growth is not declared in the rules file
RULES = load_rules()
FIELD_IDS = {"Business Value": "customfield_10200"}  # the fields the rules file reads


@st.composite
def organisations(draw) -> pl.DataFrame:
    count = draw(st.integers(min_value=1, max_value=40))
    keys = [f"{draw(st.sampled_from(['PAY', 'SRCH', 'OPS']))}-{n}" for n in range(1, count + 1)]
    # Parents: any issue (itself and cycles included), one outside the scope, or none.
    links = st.none() | st.sampled_from(keys) | st.just("GONE-1")
    rows = []
    for number, key in enumerate(keys):
        issue_type = draw(st.sampled_from(list(LEVELS)))
        rows.append(
            {
                **dict.fromkeys(ISSUE_SCHEMA),
                "issue_id": str(10000 + number),
                "issue_key": key,
                "project_key": key.split("-")[0],
                "issue_type": issue_type,
                "hierarchy_level": LEVELS[issue_type],
                "summary": key,
                "labels": draw(st.lists(st.sampled_from(LABELS), max_size=3, unique=True)),
                "components": [],
                "sprint_ids": [],
                "parent_key": draw(links),
                "epic_link_key": draw(links),
                "team_name": draw(st.none() | st.sampled_from(TEAMS)),
                "raw_json": "{}",
            }
        )
    return frame(rows, ISSUE_SCHEMA)


project_levels = st.sampled_from(["epic", "initiative"])
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(issues=organisations(), level=project_levels, seed=st.integers(0, 2**16))
def test_classification_is_deterministic_and_independent_of_row_order(issues, level, seed):
    rules = RULES.model_copy(update={"project_level": level})
    first = classify_issues(issues, rules, FIELD_IDS)
    again = classify_issues(issues, rules, FIELD_IDS)
    shuffled = classify_issues(
        issues.sample(fraction=1.0, shuffle=True, seed=seed), rules, FIELD_IDS
    )
    assert first.issues.equals(again.issues) and first.projects.equals(again.projects)
    assert first.issues.sort("issue_key").equals(shuffled.issues.sort("issue_key"))
    assert first.projects.equals(shuffled.projects)


@fast
@given(issues=organisations(), level=project_levels)
def test_every_issue_gets_exactly_one_project_one_team_and_one_tier(issues, level):
    rules = RULES.model_copy(update={"project_level": level})
    result = classify_issues(issues, rules, FIELD_IDS)
    out = result.issues
    assert out.height == issues.height
    assert sorted(out["issue_id"]) == sorted(issues["issue_id"])
    assert out.null_count().select(pl.all().exclude("mission")).sum_horizontal().item() == 0
    assert set(out["risk_tier"]) <= set(ALL_TIERS)
    keys = dict(zip(issues["issue_key"], issues["hierarchy_level"], strict=True))
    project_level = {"epic": 1, "initiative": 2}[level]
    for row in out.iter_rows(named=True):
        if row["hierarchy_status"] == "ok":
            assert keys[row["project_id"]] == project_level
            assert row["project_reason"] == f"hierarchy:{row['project_id']}"
        else:
            assert row["project_id"] == f"{UNPLANNED_PREFIX}{row['performing_team']}"
            assert row["project_reason"] == f"unplanned:{row['hierarchy_status']}"
    projects = result.projects
    assert projects["project_id"].is_unique().all()
    assert set(out["project_id"]) == set(projects["project_id"])
    assert projects["issue_count"].sum() == issues.height
