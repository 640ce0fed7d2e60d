"""`portfolio explain ISSUE-KEY`: how one issue was classified, rule by rule.

The explanation re-evaluates the rules with the classifier's own expressions (`ingest.classify`)
on the issue's row and on its unit's row (its project, or the issue itself outside any project),
so what it prints is what the classifier decided, not a second implementation that could drift.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl

from ingest.classify import (
    ENGINE,
    Evaluation,
    ancestors,
    condition_checks,
    evaluate,
    field_column,
    landed_field_ids,
    latest_issues,
    mission_recognisers,
    prepare,
    tabulate,
)
from ingest.rules import Condition, Rules

DECIDES = "   <- decides"


class UnknownIssue(LookupError):
    """The issue key is not among the landed issues."""


def explain_landed(
    issue_key: str, landing_dir: Path, rules: Rules, field_ids: Mapping[str, str] | None = None
) -> str:
    """Explain one issue of the landing zone, as the last classification saw it."""
    if field_ids is None:
        field_ids = landed_field_ids(landing_dir)
    issues = latest_issues(landing_dir).collect(engine=ENGINE)
    return explain_issue(issue_key, issues, rules, field_ids)


def explain_issue(
    issue_key: str, issues: pl.DataFrame, rules: Rules, field_ids: Mapping[str, str] | None = None
) -> str:
    if issues.filter(pl.col("issue_key") == issue_key).is_empty():
        close = difflib.get_close_matches(issue_key, issues["issue_key"].to_list(), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownIssue(f"{issue_key} is not among the {issues.height} landed issues.{hint}")
    evaluation = evaluate(prepare(issues, rules, field_ids), rules)
    return "\n".join(_Explanation(issue_key, evaluation, rules).lines())


class _Explanation:
    def __init__(self, issue_key: str, evaluation: Evaluation, rules: Rules):
        self.rules = rules
        self.all = evaluation.issues
        self.issue = self.all.filter(pl.col("issue_key") == issue_key)
        self.row = self.issue.row(0, named=True)
        self.unit = evaluation.units.filter(pl.col("idx") == self.row["unit_idx"])
        self.unit_row = self.unit.row(0, named=True)
        classified = tabulate(evaluation, rules).issues
        self.decided = classified.filter(pl.col("issue_key") == issue_key).row(0, named=True)

    def lines(self) -> list[str]:
        row = self.row
        lines = [f"{row['issue_key']} ({row['issue_type']}): {row['summary']}"]
        lines.append(f"rules file: {self.rules.source}")
        sections = (
            self._project,
            self._teams,
            self._mission,
            self._tier,
            self._curve,
            self._impact,
            self._p_success,
            self._work_type,
            self._unplanned,
        )
        for section in sections:
            lines += ["", *section()]
        return lines

    # -- helpers --------------------------------------------------------------------------------

    def _headline(self, label: str, column: str) -> str:
        value = self.decided[column]
        shown = "(none)" if value is None else value
        reason = "project_reason" if column == "project_id" else f"{column}_reason"
        return f"{label}: {shown}   [{self.decided[reason]}]"

    def _chain(self, row: Mapping) -> list[Mapping]:
        """The row and its ancestors, nearest first (a cycle shows each issue once)."""
        nodes = [row["idx"], *(row[up.meta.output_name()] for up in ancestors(self.all))]
        unique = dict.fromkeys(n for n in nodes if n is not None)
        return [self.all.row(n, named=True) for n in unique]

    def _unit_name(self) -> str:
        if self.unit_row["project_idx"] is None:
            return f"{self.row['issue_key']} itself (it is in no project)"
        if self.unit_row["idx"] == self.row["idx"]:
            return f"{self.row['issue_key']} itself (a project)"
        return f"its project {self.unit_row['issue_key']}"

    def _when(self, when: Sequence[Condition], frame: pl.DataFrame) -> tuple[bool, list[str]]:
        """Whether a rule's `when` holds on the one-row `frame`, each check with what it saw."""
        held, lines = False, []
        for number, condition in enumerate(when):
            checks = condition_checks(condition, self.rules.sprint_field)
            prefix = f"        ({number + 1}) " if len(when) > 1 else "        "
            if not checks:
                lines.append(f"{prefix}no condition: holds for every issue")
                held = True
                continue
            results = frame.select(
                pl.struct(holds=c.holds, saw=c.observed).alias(str(i)) for i, c in enumerate(checks)
            ).row(0)
            for check, result in zip(checks, results, strict=True):
                mark = "yes" if result["holds"] else "no "
                lines.append(f"{prefix}{mark} {check.description} (saw {result['saw']!r})")
            held = held or all(result["holds"] for result in results)
        return held, lines

    def _rules(
        self, rules: Sequence, frame: pl.DataFrame, outcome: Callable, decided: bool
    ) -> tuple[list[str], bool]:
        """Each rule in order with its checks; the first that holds decides, unless one did."""
        lines = []
        for rule in rules:
            held, details = self._when(rule.when, frame)
            verdict = "holds" if held else "does not hold"
            note = DECIDES if held and not decided else ""
            lines += [f"    rule {rule.name} -> {outcome(rule)}: {verdict}{note}", *details]
            decided = decided or held
        return lines, decided

    # -- sections -------------------------------------------------------------------------------

    def _project(self) -> list[str]:
        walk = " -> ".join(
            f"{node['issue_key']} ({node['issue_type']}, level {node['hierarchy_level']})"
            for node in self._chain(self.row)
        )
        lines = [
            self._headline("project", "project_id"),
            f"    hierarchy: {walk}",
            f"    projects are {self.rules.project_level}s; the walk ended: "
            f"{self.row['hierarchy_status']}",
        ]
        if self.row["parent_status"] == "outside_scope":
            lines.append(f"    its parent {self.row['parent_ref']} is outside the extracted scope")
        return lines

    def _teams(self) -> list[str]:
        teams, value = self.rules.teams, self.row["team_name"]
        lines = [self._headline("performing team", "performing_team")]
        decided = False
        if teams.use_team_field:
            known = not teams.declared or value in teams.declared
            if value is None:
                lines.append("    Team field: empty")
            elif known or teams.unknown_teams == "keep":
                unknown = "" if known else " (not in teams.declared: kept)"
                lines.append(f"    Team field: {value!r}{unknown}{DECIDES}")
                decided = True
            else:
                lines.append(f"    Team field: {value!r} is not in teams.declared: ignored")
        rule_lines, decided = self._rules(teams.rules, self.issue, lambda r: r.team, decided)
        lines += rule_lines
        if not decided and teams.fallback == "jira_project" and self.issue["project_key"]:
            project = self.issue["project_name"] or self.issue["project_key"]
            lines.append(f"    no rule matched: the Jira project's name {project!r}{DECIDES}")
        elif not decided:
            lines.append(f"    nothing matched: unassigned{DECIDES}")
        lines.append(self._headline("owning team", "owning_team"))
        if self.unit_row["project_idx"] is None:
            lines.append("    outside any project: the issue's own performing team")
        else:
            lines.append(f"    the performing team of its project {self.unit_row['issue_key']}")
        return lines

    def _mission(self) -> list[str]:
        lines = [self._headline("mission", "mission")]
        if not self.rules.missions:
            return [*lines, "    no missions are configured"]
        chain = self._chain(self.unit_row)
        keys = " -> ".join(node["issue_key"] for node in chain)
        lines.append(f"    looked for on {self._unit_name()} and above it: {keys}")
        frame = self.all[[node["idx"] for node in chain]]
        decided = False
        for mission in self.rules.missions:
            recognisers = mission_recognisers(mission, self.rules.sprint_field)
            found = frame.select(
                "issue_key", *(holds.alias(prefix) for holds, prefix in recognisers)
            ).to_dicts()
            hits = [(row["issue_key"], p) for row in found for _, p in recognisers if row[p]]
            note = DECIDES if hits and not decided else ""
            verdict = f"recognises {hits[0][0]} ({hits[0][1].rstrip('@:')})" if hits else "no"
            lines.append(f"    {mission.name} (deadline {mission.deadline}): {verdict}{note}")
            decided = decided or bool(hits)
        return lines

    def _tier(self) -> list[str]:
        tier = self.rules.risk_tier
        lines = [self._headline("risk tier", "risk_tier")]
        own = self.row["explicit_tier"]
        if self.row["idx"] != self.unit_row["idx"]:
            if own is not None:
                return [*lines, f"    the issue's own field or label tier: {own['value']}{DECIDES}"]
            lines.append("    the issue has no field or label tier of its own, so it takes")
        lines.append(
            f"    the tier of {self._unit_name()}, by precedence {', '.join(tier.precedence)}:"
        )
        unit, decided = self.unit_row, False
        for source in tier.precedence:
            if source == "rule":
                lines.append("    rules, in order:")
                rule_lines, decided = self._rules(tier.rules, self.unit, lambda r: r.tier, decided)
                lines += rule_lines
                continue
            candidate = {
                "field": unit["tier_field"],
                "label": unit["tier_label"],
                "inherited": unit["inherit_from"],
            }[source]
            note = DECIDES if candidate is not None and not decided else ""
            lines.append(f"    {source}: {self._tier_source(source)}{note}")
            decided = decided or candidate is not None
        if not decided:
            lines.append(f"    nothing decided: {self.decided['risk_tier']}{DECIDES}")
        return lines

    def _tier_source(self, source: str) -> str:
        tier, unit = self.rules.risk_tier, self.unit_row
        if source == "field":
            if tier.field is None:
                return "no tier field configured"
            value = unit[field_column(tier.field.name)]
            mapped = tier.field.values.get(value) if value is not None else None
            shown = "empty" if value is None else f"{value!r} -> {mapped or 'not in the value map'}"
            return f"{tier.field.name} {shown}"
        if source == "label":
            found = unit["tier_label"]
            labels = ", ".join(tier.labels) or "none configured"
            return f"{found['reason'] if found else 'none'} (looks for {labels})"
        if unit["inherit_from"] is None:
            return "no ancestor has a field or label tier"
        ancestor = self.all.row(unit["inherit_from"], named=True)
        explicit = ancestor["explicit_tier"]
        return f"{ancestor['issue_key']} has {explicit['value']} [{explicit['reason']}]"

    def _curve(self) -> list[str]:
        curve, unit = self.rules.success_curve, self.unit_row
        lines = [self._headline("success curve", "success_curve")]
        decided = False
        if curve.field is not None:
            value = unit[field_column(curve.field.name)]
            mapped = curve.field.values.get(value) if value is not None else None
            note = DECIDES if mapped else ""
            lines.append(
                f"    field {curve.field.name}: {value!r} -> {mapped or 'no mapping'}{note}"
            )
            decided = bool(mapped)
        if curve.labels:
            found = [label for label in curve.labels if label in (unit["labels"] or [])]
            note = DECIDES if found and not decided else ""
            lines.append(f"    label: {found[0] if found else 'none'}{note}")
            decided = decided or bool(found)
        rule_lines, decided = self._rules(curve.rules, self.unit, lambda r: r.curve, decided)
        lines += rule_lines
        if not decided:
            tier = unit["unit_tier"]["value"]
            by_tier = getattr(curve.by_tier, tier)
            lines.append(f"    by the tier of {self._unit_name()}, {tier}: {by_tier}{DECIDES}")
        return lines

    def _impact(self) -> list[str]:
        impact = self.rules.impact
        lines = [self._headline("impact", "impact")]
        if impact.field is None:
            return [*lines, f"    no impact field configured: the default, {impact.default:g}"]
        value = self.unit_row[field_column(impact.field)]
        shown = f"empty, so the default {impact.default:g}" if value is None else f"{value:g}"
        return [*lines, f"    field {impact.field} of {self._unit_name()}: {shown}"]

    def _p_success(self) -> list[str]:
        table = ", ".join(f"{t} {p:g}" for t, p in self.rules.p_success.model_dump().items())
        return [self._headline("p_success", "p_success"), f"    by the issue's tier: {table}"]

    def _work_type(self) -> list[str]:
        work = self.rules.work_type
        mapped = ", ".join(f"{k} -> {v}" for k, v in {**work.labels, **work.issue_types}.items())
        return [
            self._headline("work type", "work_type"),
            f"    labels first, then issue types ({mapped or 'none mapped'}); default "
            f"{work.default}. The issue: {self.row['issue_type']}, labels {self.row['labels']}",
        ]

    def _unplanned(self) -> list[str]:
        unplanned = self.rules.unplanned
        return [
            self._headline("unplanned (keep-the-lights-on)", "is_unplanned"),
            f"    issue types {', '.join(unplanned.issue_types) or 'none'}; labels "
            f"{', '.join(unplanned.labels) or 'none'}",
        ]
