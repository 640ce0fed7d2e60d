"""The rules file: the default loads, and every invalid file fails before anything runs, with one
clear line per problem naming the file, the line and key, and the fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ingest.rules import (
    DEFAULT_RULES_FILE,
    RulesError,
    field_ids_from_catalogue,
    load_rules,
    parse_rules,
    resolve_field_ids,
)


def problems(text: str) -> list[str]:
    with pytest.raises(RulesError) as error:
        parse_rules(textwrap.dedent(text), "rules.yaml")
    return error.value.problems


def test_the_default_rules_file_is_valid_and_declares_every_section():
    rules = load_rules()
    assert rules.source == str(DEFAULT_RULES_FILE)
    assert rules.project_level == "epic"
    assert rules.teams.declared and rules.teams.rules
    assert list(rules.risk_tier.precedence) == ["field", "label", "inherited", "rule"]
    assert rules.risk_tier.labels["tier:moonshot"] == "moonshot"
    assert rules.missions and all(m.deadline for m in rules.missions)
    assert rules.p_success.moonshot == 0.2
    assert (
        rules.targets_for("Search") != rules.targets_for("Payments") == rules.tier_targets.default
    )


def test_an_empty_file_means_the_built_in_defaults():
    rules = parse_rules("", "empty.yaml")
    assert rules.risk_tier.labels == {
        "tier:sure": "sure_thing",
        "tier:linear": "linear_bet",
        "tier:moonshot": "moonshot",
    }
    assert (rules.success_curve.by_tier.moonshot, rules.success_curve.by_tier.sure_thing) == (
        "binary",
        "linear",
    )


def test_an_unknown_key_names_file_line_key_and_the_likely_fix():
    [problem] = problems(
        """\
        risk_tier:
          rules:
            - name: experiment
              tier: moonshot
              when: {lables: experiment}
        """
    )
    assert problem.startswith("rules.yaml:5: risk_tier.rules[0].when[0].lables: unknown key")
    assert "did you mean 'labels'?" in problem


def test_a_single_condition_is_located_without_a_list_index():
    [problem] = problems("teams:\n  colour: blue\n")
    assert problem.startswith("rules.yaml:2: teams.colour: unknown key 'colour'. Fix:")


def test_a_bad_regular_expression_is_refused_with_the_engines_reason():
    [problem] = problems(
        """\
        missions:
          - name: Aurora
            deadline: 2027-06-30
            rules:
              - name: aurora
                when: {summary_matches: "(?<=Project )Aurora"}
        """
    )
    assert problem.startswith("rules.yaml:6: missions[0].rules[0].when[0].summary_matches:")
    assert "is not a valid regular expression" in problem
    assert "Fix: correct the pattern; it uses Rust regex syntax (no look-around" in problem


def test_a_tier_outside_the_allowed_set_lists_the_allowed_ones():
    [problem] = problems('risk_tier:\n  labels:\n    "tier:big": moonshots\n')
    assert problem == (
        "rules.yaml:3: risk_tier.labels.tier:big: 'moonshots' is not allowed. "
        "Fix: use one of 'sure_thing', 'linear_bet' or 'moonshot'."
    )


def test_target_shares_must_sum_to_one():
    [problem] = problems(
        """\
        tier_targets:
          teams:
            Search: {sure_thing: 0.5, linear_bet: 0.3, moonshot: 0.1}
        """
    )
    assert problem.startswith("rules.yaml:3: tier_targets.teams.Search: shares sum to 0.9, not 1.")
    assert "Fix: adjust sure_thing, linear_bet and moonshot" in problem


def test_a_mission_without_a_deadline_says_where_to_add_it():
    [problem] = problems("missions:\n  - name: Aurora\n    labels: [aurora]\n")
    assert problem == (
        "rules.yaml:2: missions[0].deadline: required 'deadline' is missing. "
        "Fix: add `deadline:` here."
    )


def test_every_problem_is_reported_at_once():
    found = problems(
        """\
        risk_tier:
          precedence: [label, label]
          rules:
            - {name: a, tier: moonshot, when: {labels: x}}
            - {name: a, tier: moonshot, when: {labels: y}}
        teams:
          declared: [Payments]
          rules:
            - {name: b, team: Paymnets, when: {project_key: PAY}}
        """
    )
    assert found == [
        "rules.yaml:5: risk_tier.rules[1].name: rule name 'a' is used twice. "
        "Fix: give each rule its own name.",
        "rules.yaml:2: risk_tier.precedence: ['label', 'label'] repeats a source. "
        "Fix: list each of field, label, inherited, rule at most once.",
        "rules.yaml:9: teams.rules[0].team: team 'Paymnets' is not in teams.declared. "
        "Fix: add it to teams.declared or use one of Payments.",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nversion: 1\n", "duplicate key"),
        ("risk_tier: [\n", "not valid YAML"),
        ("- a\n- b\n", "must be a mapping of sections"),
        (
            "risk_tier:\n  rules:\n    - {name: x, tier: moonshot, when: "
            '{children_issue_type_share: {Spike: "half"}}}\n',
            "is not a share condition",
        ),
        (
            "teams:\n  rules:\n    - {name: t, team: A, when: "
            '{children_issue_type_share: {Spike: ">= 0.5"}}}\n',
            "only applies to rules decided per project",
        ),
        (
            "risk_tier:\n  rules:\n    - {name: spike heavy, tier: moonshot, when: {}}\n",
            "plain name",
        ),
        ("missions:\n  - {name: M, deadline: 2027-01-01}\n", "recognises no project"),
        ("missions:\n  - {name: M, deadline: soon, labels: [m]}\n", "YYYY-MM-DD"),
    ],
)
def test_other_mistakes_each_get_a_clear_line(text, message):
    [problem] = problems(text)
    assert problem.startswith("rules.yaml")
    assert message in problem and "Fix:" in problem


def test_a_missing_rules_file_names_the_fix(tmp_path: Path):
    with pytest.raises(
        RulesError, match="cannot read the rules file .* Fix: point PORTFOLIO_RULES"
    ):
        load_rules(tmp_path / "nope.yaml")


def test_field_names_resolve_through_the_catalogue_or_fail_naming_the_key():
    rules = parse_rules(
        """\
        impact: {field: Business Value}
        risk_tier:
          field: {name: Story Points, values: {"1": sure_thing}}
          rules:
            - {name: big, tier: moonshot, when: {fields: {customfield_10300: ["yes"]}}}
        """.replace("        ", ""),
        "rules.yaml",
    )
    catalogue = field_ids_from_catalogue(
        [
            {"id": "customfield_10200", "name": "Business Value"},
            {"id": "customfield_10016", "name": "Story Points"},
            {"id": "customfield_10026", "name": "Story Points"},
            {"id": "customfield_10300", "name": "Big Bet"},
        ]
    )
    with pytest.raises(RulesError) as error:
        resolve_field_ids(rules, catalogue)
    [problem] = error.value.problems
    assert problem.startswith(
        "rules.yaml:3: risk_tier.field.name: field 'Story Points' is the name"
    )
    assert "(customfield_10016, customfield_10026). Fix: write the id" in problem
    fixed = rules.model_copy(
        update={"risk_tier": rules.risk_tier.model_copy(update={"field": None})}
    )
    assert resolve_field_ids(fixed, catalogue) == {
        "Business Value": "customfield_10200",
        "customfield_10300": "customfield_10300",
    }
