"""`portfolio explain`: one issue's classification, step by step, as the classifier decided it."""

from __future__ import annotations

import pytest

from ingest.explain import UnknownIssue, explain_issue
from ingest.fields import discover_fields
from ingest.landing import BatchWriter
from ingest.normalize import FIELD_SCHEMA, ISSUE_SCHEMA, field_rows, frame, issue_row
from ingest.rules import field_ids_from_catalogue, load_rules
from ingest.sandbox.generator import generate_org
from orchestration.cli import main


@pytest.fixture(scope="module")
def demo():
    org = generate_org(seed=7)
    field_map = discover_fields(org.fields)
    return org, frame([issue_row(i, field_map) for i in org.issues], ISSUE_SCHEMA)


def epic_with_reason(org, prefix: str) -> str:
    return next(key for key, truth in org.truth.epics.items() if truth.reason.startswith(prefix))


def decisive(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.endswith("<- decides")]


def test_a_rule_decided_epic_shows_every_rule_and_the_one_that_decides(demo):
    org, issues = demo
    key = epic_with_reason(org, "rule:spike-heavy")
    text = explain_issue(key, issues, load_rules(), field_ids_from_catalogue(org.fields))
    assert "risk tier: moonshot   [rule:spike-heavy]" in text
    assert "label: none (looks for tier:sure, tier:linear, tier:moonshot)" in text
    assert "rule label-experiment -> moonshot: does not hold" in text
    assert "rule spike-heavy -> moonshot: holds   <- decides" in text
    assert "yes share of Spike among the issues below >= 0.5" in text


def test_a_child_shows_its_project_and_the_inherited_tier(demo):
    org, issues = demo
    epic = epic_with_reason(org, "inherited:")
    initiative = org.truth.epics[epic].initiative
    child = issues.filter(issues["parent_key"] == epic)["issue_key"][0]
    text = explain_issue(child, issues, load_rules(), field_ids_from_catalogue(org.fields))
    assert f"project: {epic}   [hierarchy:{epic}]" in text
    assert f"the tier of its project {epic}, by precedence field, label, inherited, rule:" in text
    assert any(line.startswith(f"inherited: {initiative} has ") for line in decisive(text))


def test_a_helper_shows_its_own_team_and_the_owning_team_of_the_epic(demo):
    org, issues = demo
    key, team = next(iter(org.truth.performing_team_overrides.items()))
    text = explain_issue(key, issues, load_rules(), field_ids_from_catalogue(org.fields))
    assert f"performing team: {team}   [field:Team]" in text
    assert f"Team field: '{team}'   <- decides" in text
    assert "owning team: " in text and "[project:" in text


def test_an_unknown_key_suggests_close_ones(demo):
    _, issues = demo
    with pytest.raises(UnknownIssue, match="PAY-99999 is not among the .* Did you mean PAY-"):
        explain_issue("PAY-99999", issues, load_rules())


def test_the_cli_explains_a_landed_issue_and_fails_clearly(demo, tmp_path, monkeypatch, capsys):
    org, issues = demo
    with BatchWriter(tmp_path / "landing", "b1") as batch:
        batch.write_part("issues", issues)
        batch.write_part("fields", frame(field_rows(org.fields), FIELD_SCHEMA))
        batch.commit({})
    monkeypatch.setenv("PORTFOLIO_DATA_DIR", str(tmp_path))
    key = next(iter(org.truth.orphan_keys))
    assert main(["explain", key]) == 0
    assert "project: UNPLANNED-" in capsys.readouterr().out
    assert main(["explain", "NOPE-1"]) == 1
    assert "error: NOPE-1 is not among the" in capsys.readouterr().err
    broken = tmp_path / "rules.yaml"
    broken.write_text("risk_tier:\n  labels: {tier:x: huge}\n")
    assert main(["explain", key, "--rules", str(broken)]) == 1
    assert f"{broken}:2: risk_tier.labels.tier:x: 'huge' is not allowed" in capsys.readouterr().err
