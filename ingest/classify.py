"""Classification in Polars: each issue's project, teams, mission and risk tier, with reasons.

The rules file (ingest/rules.py) is data; this module compiles it into Polars expressions evaluated
over the whole frame at once, never per row in Python. The hierarchy is walked with index gathers
(one per level); project-level decisions are taken on the project's own row and joined to the
issues below it. Each decided column has a `<column>_reason` naming what decided it.

Decisions the spec (portfolio-metrics.md sections 1 and 2) leaves open, taken here:
- An issue's *unit* is its project, or the issue itself when it has none (`UNPLANNED-<team>`).
  The unit's own row decides tier, success curve, impact and mission, so work outside any project
  meets the same precedence on its own fields (a Bug with no epic is tiered by the rules).
- `inherited` takes the field or label tier of the nearest ancestor above the unit that has one.
  A child keeps its own field or label tier; otherwise it carries its project's tier and reason.
- A project belongs to at most one mission: the first in file order that recognises the project
  or any ancestor; among that mission's matches, the nearest issue is named in the reason.
- Team: the Team field, then the ordered team rules, then (by default) the Jira project's name
  (reason `jira_project:<key>`), else `unassigned` (reason `default`). A Team
  field value not in `teams.declared` is kept with reason `unknown_team:field:Team`
  (`unknown_teams: keep`) or skipped so the rules decide (`ignore`). The owning team is the
  performing team of the project's own issue; outside projects it is the issue's own.
- p_success follows the issue's own tier; success curve and impact are the unit's.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.landing import committed_batches, part_glob
from ingest.rules import (
    RISK_TIERS,
    UNASSIGNED,
    UNCLASSIFIED,
    Condition,
    Mission,
    Rules,
    RulesError,
    conditions,
    field_ids_from_catalogue,
    field_references,
    load_rules,
    parse_threshold,
    resolve_field_ids,
)

PROJECT_LEVELS = {"epic": 1, "initiative": 2}  # Jira's hierarchyLevel of each project level
# Deeper than any Jira hierarchy: a chain that finds no project within it can only be a cycle.
MAX_HIERARCHY_DEPTH = 8
HIERARCHY_STATUSES = ("ok", "above_project_level", "orphan", "parent_outside_scope", "cycle")
UNPLANNED_PREFIX = "UNPLANNED-"
ISSUES_FILE = "classified_issues.parquet"
PROJECTS_FILE = "classified_projects.parquet"
TEAM_TARGETS_FILE = "team_tier_targets.parquet"
MISSIONS_FILE = "missions.parquet"
ALL_TIERS = (*RISK_TIERS, UNCLASSIFIED)
# Polars' in-memory engine: the streaming one (the default) is several times slower on the wide,
# order-preserving joins and gathers here, and the frames fit in memory anyway.
ENGINE = "in-memory"


def _with_reasons(*columns: str) -> tuple[str, ...]:
    """Each decided column followed by the `<column>_reason` that says why."""
    return tuple(name for column in columns for name in (column, f"{column}_reason"))


# Decided per project and inherited by its issues.
PROJECT_DECISIONS = _with_reasons("risk_tier", "success_curve", "impact", "p_success")

ISSUE_COLUMNS = (
    "issue_id",
    "issue_key",
    "project_id",
    "project_reason",
    "hierarchy_status",
    "parent_status",
    *_with_reasons("owning_team", "performing_team", "mission"),
    *PROJECT_DECISIONS,
    *_with_reasons("work_type", "is_unplanned"),
)
PROJECT_COLUMNS = (
    "project_id",
    "is_unplanned_project",
    "project_issue_id",
    "issue_type",
    "summary",
    "jira_project_key",
    "parent_status",
    "issue_count",
    *_with_reasons("owning_team"),
    "mission",
    "mission_deadline",
    "mission_reason",
    *PROJECT_DECISIONS,
)


@dataclass(frozen=True)
class Classification:
    issues: pl.DataFrame  # one row per issue: ISSUE_COLUMNS
    projects: pl.DataFrame  # one row per project and per UNPLANNED-<team> bucket: PROJECT_COLUMNS
    # The rules' settings the marts need, so dbt reads them as data: one row per (team, tier) ...
    team_tier_targets: pl.DataFrame
    missions: pl.DataFrame  # ... and one per configured mission, even one no project matches


# ---------------------------------------------------------------------------------------------
# Decisions: a value with the reason that decided it, one struct column
# ---------------------------------------------------------------------------------------------

DECISION = pl.Struct({"value": pl.String, "reason": pl.String})  # a typed "nothing decided"
MATCH = pl.Struct({"value": pl.Int64, "reason": pl.String})

Scalar = str | float | bool | int
Branch = tuple[pl.Expr, pl.Expr | Scalar, pl.Expr | Scalar]  # (holds, value, reason)


def decided(value: pl.Expr | Scalar, reason: pl.Expr | str) -> pl.Expr:
    as_expr = lambda v: v if isinstance(v, pl.Expr) else pl.lit(v)  # noqa: E731
    return pl.struct(value=as_expr(value), reason=as_expr(reason))


def _value(decision: str) -> pl.Expr:
    return pl.col(decision).struct.field("value")


def _reason(decision: str) -> pl.Expr:
    return pl.col(decision).struct.field("reason")


def _chain(pairs: Sequence[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The value of the first pair whose condition holds, else null."""
    (condition, value), *rest = pairs
    chain = pl.when(condition).then(value)
    for condition, value in rest:
        chain = chain.when(condition).then(value)
    return chain


def _lookup(number: pl.Expr, items: Sequence[pl.Expr | Scalar]) -> pl.Expr:
    """`items[number]`: literals from one small table, expressions where a branch computes one."""
    table = [None if isinstance(item, pl.Expr) else item for item in items]
    looked_up = pl.lit(pl.Series(table)).gather(number)
    dynamic = [(number == i, item) for i, item in enumerate(items) if isinstance(item, pl.Expr)]
    return _chain(dynamic).otherwise(looked_up) if dynamic else looked_up


def first_of(branches: Sequence[Branch], default: tuple[Scalar, str] | None = None) -> pl.Expr:
    """The decision of the first branch whose condition holds; else `default`, else null.

    One chain of boolean tests numbers the branches; values and reasons are then looked up by
    number, so a long rule list costs integer comparisons, not a struct column per rule.
    """
    if default is not None:
        branches = [*branches, (pl.lit(True), *default)]
    if not branches:
        return pl.lit(None, DECISION)
    number = _chain([(holds, pl.lit(i, pl.UInt32)) for i, (holds, _, _) in enumerate(branches)])
    decision = pl.struct(
        value=_lookup(number, [value for _, value, _ in branches]),
        reason=_lookup(number, [reason for _, _, reason in branches]),
    )
    return decision if default is not None else pl.when(number.is_not_null()).then(decision)


# ---------------------------------------------------------------------------------------------
# Conditions: each key of a rule's `when` is one check, usable alone (explain) or combined
# ---------------------------------------------------------------------------------------------

_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_COMPARE["=="] = operator.eq


@dataclass(frozen=True)
class Check:
    key: str  # the condition key it comes from
    description: str
    holds: pl.Expr  # boolean, never null
    observed: pl.Expr  # what the check looked at, for `portfolio explain`


def field_column(name: str) -> str:
    return f"field:{name}"


def share_column(issue_type: str) -> str:
    return f"children_share:{issue_type}"


def _is_in(column: pl.Expr, values: Sequence[object]) -> pl.Expr:
    # Equality is several times faster than a one-element `is_in`, and most rules name one value.
    holds = column == values[0] if len(values) == 1 else column.is_in(list(values))
    return holds.fill_null(False)


def _has_any(column: str, values: Sequence[object]) -> pl.Expr:
    return pl.any_horizontal(pl.col(column).list.contains(v) for v in values).fill_null(False)


def condition_checks(condition: Condition, sprint_field: str) -> list[Check]:
    checks = []
    for column in ("issue_type", "project_key", "status_category", "priority"):
        if values := getattr(condition, column):
            holds = _is_in(pl.col(column), values)
            checks.append(Check(column, f"{column} in {list(values)}", holds, pl.col(column)))
    for column in ("labels", "components"):
        if values := getattr(condition, column):
            description = f"{column} include any of {list(values)}"
            checks.append(Check(column, description, _has_any(column, values), pl.col(column)))
    if condition.board:
        description = f"board (of a sprint in {sprint_field!r}) in {list(condition.board)}"
        holds = _has_any("boards", condition.board)
        checks.append(Check("board", description, holds, pl.col("boards")))
    for name, values in condition.fields.items():
        column = pl.col(field_column(name))
        holds = _is_in(column, values)
        checks.append(Check("fields", f"field {name!r} in {list(values)}", holds, column))
    if condition.summary_matches is not None:
        holds = pl.col("summary").str.contains(condition.summary_matches).fill_null(False)
        description = f"summary matches {condition.summary_matches!r}"
        checks.append(Check("summary_matches", description, holds, pl.col("summary")))
    for issue_type, threshold in condition.children_issue_type_share.items():
        op, limit = parse_threshold(threshold)
        share = pl.col(share_column(issue_type))
        description = f"share of {issue_type} among the issues below {op} {limit:g}"
        holds = _COMPARE[op](share, limit).fill_null(False)
        checks.append(Check("children_issue_type_share", description, holds, share.round(3)))
    return checks


def when_expr(when: Sequence[Condition], sprint_field: str) -> pl.Expr:
    """A rule's `when`: any of its conditions, each the conjunction of its checks."""
    return pl.any_horizontal(_condition_expr(c, sprint_field) for c in when)


def _condition_expr(condition: Condition, sprint_field: str) -> pl.Expr:
    checks = condition_checks(condition, sprint_field)
    cheap = [c.holds for c in checks if c.key != "summary_matches"]
    holds = pl.all_horizontal(cheap or pl.lit(True))
    if condition.summary_matches is None:
        return holds
    # The regular expression only reads summaries where every other check holds: elsewhere its
    # input is null, which costs nothing (a rule "Initiative whose summary matches" scans few).
    summary = pl.when(holds).then(pl.col("summary"))
    return summary.str.contains(condition.summary_matches).fill_null(False)


def rule_branches(rules: Sequence, value_of: Callable, sprint_field: str) -> list[Branch]:
    """Ordered rules, reason `rule:<name>`."""
    return [
        (when_expr(rule.when, sprint_field), value_of(rule), f"rule:{rule.name}") for rule in rules
    ]


def label_branches(mapping: Mapping[str, Scalar]) -> list[Branch]:
    """Configured labels in file order, reason `label:<label>`."""
    return [
        (pl.col("labels").list.contains(label).fill_null(False), value, f"label:{label}")
        for label, value in mapping.items()
    ]


def _field_decision(name: str, values: Mapping[str, str]) -> pl.Expr:
    """A field's value through a value map, reason `field:<name>=<value>`; unmapped: null."""
    raw = pl.col(field_column(name))
    mapped = raw.replace_strict(dict(values), default=None, return_dtype=pl.String)
    reason = pl.concat_str(pl.lit(f"field:{name}="), raw)
    return pl.when(mapped.is_not_null()).then(decided(mapped, reason))


def _by_tier(tier: pl.Expr, values: Mapping[str, Scalar]) -> pl.Expr:
    """A per-tier setting (p_success, default curve), reason `tier:<tier>`."""
    return first_of([(tier == t, values[t], f"tier:{t}") for t in ALL_TIERS])


# ---------------------------------------------------------------------------------------------
# Preparation: the columns rules read, configured field values, the hierarchy
# ---------------------------------------------------------------------------------------------


def _field_values(raw_json: pl.Series, field_id: str) -> pl.Series:
    """One field's value as text, read from the raw issue JSON of the issues that have one.

    Options and objects give their `value` (else `name`), lists their first item. JSON parsing is
    the expensive part, so a literal scan first finds the issues whose field is not null.
    """
    key = f'"{field_id}":'
    # Scalar scans (fast) find the issues where the field is present and not null.
    has_value = raw_json.str.contains(key, literal=True) & ~raw_json.str.contains(
        f"{key}null", literal=True
    )
    has_value = has_value.fill_null(False)
    rows = has_value.arg_true()
    text = raw_json.gather(rows).str.json_path_match(f"$.fields.{field_id}")
    # Only objects and lists need a second look (null elsewhere, which costs nothing).
    structured = pl.when(text.str.starts_with("{") | text.str.starts_with("[")).then(text)
    paths = ("$.value", "$.name", "$[0].value", "$[0].name", "$[0]")
    value = pl.select(pl.coalesce(*(structured.str.json_path_match(p) for p in paths), text))
    value = value.to_series()
    return pl.repeat(None, len(raw_json), dtype=pl.String, eager=True).scatter(rows, value)


def _walk(frame: pl.DataFrame, project_level: int) -> pl.DataFrame:
    """Ancestors `up1..upN` (one gather per level), the project and how it was found.

    `hierarchy_status`: ok, orphan (no parent), parent_outside_scope (a parent not extracted),
    above_project_level (the walk passed the project level without meeting it), or cycle.
    """
    parent, node, ups = frame["parent_idx"], frame["idx"], []
    for depth in range(1, MAX_HIERARCHY_DEPTH + 1):
        node = parent.gather(node).alias(f"up{depth}")
        ups.append(node)
        if node.null_count() == len(node):
            break
    nodes = [frame["idx"], *ups]
    names_parent = frame["parent_ref"].is_not_null()
    # Each depth's level and parent link as plain columns: the walk is then one flat chain of
    # comparisons in which the first step that stops decides.
    steps = frame.select(
        "idx",
        *ups,
        *(frame["hierarchy_level"].gather(n).alias(f"level{d}") for d, n in enumerate(nodes)),
        *(names_parent.gather(n).alias(f"names_parent{d}") for d, n in enumerate(nodes)),
    )
    ok, above, orphan, outside, cycle = range(5)  # indexes into HIERARCHY_STATUSES
    no_project = pl.lit(None, pl.UInt32)
    stops = []
    for depth, node in enumerate(nodes):
        level, here = pl.col(f"level{depth}"), pl.col(node.name)
        if depth:
            ended = pl.lit(orphan, pl.UInt8) + pl.col(f"names_parent{depth - 1}").cast(pl.UInt8)
            stops.append((here.is_null(), ended, no_project))
        stops.append((level == project_level, pl.lit(ok, pl.UInt8), here))
        stops.append((level > project_level, pl.lit(above, pl.UInt8), no_project))
    status = _chain([(stop, code) for stop, code, _ in stops]).otherwise(pl.lit(cycle, pl.UInt8))
    walked = steps.lazy().select(
        *(up.name for up in ups),
        pl.lit(pl.Series(HIERARCHY_STATUSES)).gather(status).alias("hierarchy_status"),
        _chain([(stop, project) for stop, _, project in stops]).alias("project_idx"),
    )
    return frame.hstack(walked.collect(engine=ENGINE))


def prepare(
    issues: pl.DataFrame, rules: Rules, field_ids: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """The columns every rule reads, with the hierarchy walked: the input of `evaluate`."""
    references = field_references(rules)
    if references and field_ids is None:
        raise RulesError(
            [
                rules.problem(
                    loc,
                    f"reads field {name!r}, but no field catalogue is available. Fix: classify "
                    "a landing batch that has a fields table, or pass field_ids.",
                )
                for name, loc in references.items()
            ]
        )
    ids = resolve_field_ids(rules, field_ids) if references else {}
    fields = [
        _field_values(issues["raw_json"], ids[name]).alias(field_column(name)) for name in ids
    ]
    base = issues.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("idx"),
        "issue_id",
        "issue_key",
        "project_key",
        "project_name",
        "issue_type",
        "hierarchy_level",
        "summary",
        "status_category",
        "priority",
        "labels",
        "components",
        "team_name",
        # `parent` is the modern link; older instances tie stories to epics by the Epic Link field.
        pl.coalesce("parent_key", "epic_link_key").alias("parent_ref"),
        *fields,
    )
    if rules.impact.field:
        base = base.with_columns(
            pl.col(field_column(rules.impact.field)).cast(pl.Float64, strict=False)
        )
    if rules.sprint_field in ids:
        # Cloud sprints carry "boardId":12, Data Center's text form rapidViewId=12.
        boards = pl.col(field_column(rules.sprint_field)).str.extract_all(
            r"(?:\"boardId\":|rapidViewId=)\d+"
        )
        base = base.with_columns(
            boards.list.eval(pl.element().str.extract(r"(\d+)$").cast(pl.Int64)).alias("boards")
        )
    parent_idx = _parent_index(issues, base["parent_ref"])
    return _walk(base.with_columns(parent_idx), PROJECT_LEVELS[rules.project_level])


def _parent_index(issues: pl.DataFrame, parent_ref: pl.Series) -> pl.Series:
    """Each issue's parent as a row index: null for none, or for a parent not extracted.

    Where the link carries the parent's numeric id (Cloud's `parent`), ids find it: they are the
    site's running numbers, so a table indexed by id needs no hashing. Links known only by key
    (Epic Link, Data Center's Parent Link) are joined on the key.
    """
    rows = pl.int_range(issues.height, dtype=pl.UInt32, eager=True)
    ids = issues["issue_id"].cast(pl.Int64, strict=False)
    parent_ids = issues["parent_id"].cast(pl.Int64, strict=False)
    parent_idx = pl.repeat(None, issues.height, dtype=pl.UInt32, eager=True)
    low, high = ids.min(), ids.max()
    if low is not None and high - low <= 16 * issues.height:  # a table of at most 64 B per issue
        table = pl.repeat(None, high - low + 1, dtype=pl.UInt32, eager=True)
        table = table.scatter(ids.drop_nulls() - low, rows.filter(ids.is_not_null()))
        in_range = (parent_ids >= low) & (parent_ids <= high)
        found = table.gather((parent_ids - low).clip(0, high - low))
        parent_idx = pl.select(pl.when(in_range).then(found)).to_series()
    elif parent_ids.is_not_null().any():
        by_id = pl.DataFrame({"parent_id": ids, "parent_idx": rows})
        parent_idx = parent_ids.to_frame("parent_id").join(
            by_id, on="parent_id", how="left", maintain_order="left"
        )["parent_idx"]
    by_key = (parent_ref.is_not_null() & parent_ids.is_null()).arg_true()
    if by_key.is_empty():
        return parent_idx.alias("parent_idx")
    keys = pl.DataFrame({"parent_ref": issues["issue_key"], "parent_idx": rows})
    try:
        found = (
            parent_ref.gather(by_key)
            .to_frame("parent_ref")
            .join(keys, on="parent_ref", how="left", maintain_order="left", validate="m:1")
        )
    except pl.exceptions.ComputeError:
        duplicated = issues.filter(pl.col("issue_key").is_duplicated())["issue_key"].unique().sort()
        raise ValueError(
            f"issue keys are not unique ({', '.join(duplicated.head(5))}): classify one version "
            "of each issue (latest_issues)"
        ) from None
    return parent_idx.scatter(by_key, found["parent_idx"]).alias("parent_idx")


def ancestors(frame: pl.DataFrame) -> list[pl.Expr]:
    return [pl.col(c) for c in frame.columns if c.startswith("up") and c[2:].isdigit()]


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    issues: pl.DataFrame  # every issue: its own decisions, and row pointers to its unit's deciders
    units: pl.DataFrame  # the rows of projects and of issues outside any: the unit decisions


def _team(rules: Rules) -> pl.Expr:
    teams = rules.teams
    team = pl.col("team_name")
    known = team.is_in(list(teams.declared)) if teams.declared else pl.lit(True)
    branches: list[Branch] = []
    if teams.use_team_field:
        branches.append((team.is_not_null() & known, team, "field:Team"))
        if teams.unknown_teams == "keep":
            branches.append((team.is_not_null(), team, "unknown_team:field:Team"))
    branches += rule_branches(teams.rules, lambda r: r.team, rules.sprint_field)
    if teams.fallback == "jira_project":
        project = pl.coalesce("project_name", "project_key")
        reason = pl.concat_str(pl.lit("jira_project:"), pl.col("project_key"))
        branches.append((project.is_not_null(), project, reason))
    return first_of(branches, default=(UNASSIGNED, "default"))


def mission_recognisers(mission: Mission, sprint_field: str) -> list[tuple[pl.Expr, str]]:
    """How a mission recognises an issue, in order, with the reason's prefix for each way."""
    recognisers = []
    if mission.initiatives:
        recognisers.append((_is_in(pl.col("issue_key"), mission.initiatives), "initiative:"))
    recognisers += [
        (pl.col("labels").list.contains(label).fill_null(False), f"label:{label}@")
        for label in mission.labels
    ]
    recognisers += [
        (when_expr(rule.when, sprint_field), f"rule:{rule.name}@") for rule in mission.rules
    ]
    return recognisers


def _mission_match(rules: Rules) -> pl.Expr:
    """The first mission (by its number in the file) recognising the issue itself.

    The reason is a prefix: the key of the issue the unit's mission is found on completes it.
    """
    branches: list[Branch] = [
        (holds, number, prefix)
        for number, mission in enumerate(rules.missions)
        for holds, prefix in mission_recognisers(mission, rules.sprint_field)
    ]
    return first_of(branches) if branches else pl.lit(None, MATCH)


def _work_type(rules: Rules) -> pl.Expr:
    work = rules.work_type
    by_type = [
        (pl.col("issue_type") == issue_type, value, f"issue_type:{issue_type}")
        for issue_type, value in work.issue_types.items()
    ]
    return first_of([*label_branches(work.labels), *by_type], default=(work.default, "default"))


def _is_unplanned(rules: Rules) -> pl.Expr:
    unplanned = rules.unplanned
    by_type = [
        (pl.col("issue_type") == issue_type, True, f"issue_type:{issue_type}")
        for issue_type in unplanned.issue_types
    ]
    by_label = label_branches(dict.fromkeys(unplanned.labels, True))
    return first_of([*by_type, *by_label], default=(False, "default"))


def _per_issue(prepared: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Decisions an issue takes on its own, and the rows its unit's inherited tier and mission
    come from (row indexes: cheap to find for every issue)."""
    tier = rules.risk_tier
    own_tier = {"label": pl.col("tier_label")}
    if tier.field:
        own_tier["field"] = pl.col("tier_field")
    explicit = [own_tier[s] for s in tier.precedence if s in own_tier]
    nodes = [pl.col("idx"), *ancestors(prepared)]
    has_explicit = pl.col("explicit_tier").is_not_null()
    mission = _value("mission_match")
    best = pl.min_horizontal(mission.gather(node) for node in nodes)
    return (
        prepared.lazy()
        .with_columns(
            pl.coalesce("project_idx", "idx").alias("unit_idx"),
            _chain(
                [
                    (pl.col("parent_ref").is_null(), pl.lit("none")),
                    (pl.col("parent_idx").is_null(), pl.lit("outside_scope")),
                ]
            )
            .otherwise(pl.lit("in_scope"))
            .alias("parent_status"),
            _team(rules).alias("team"),
            (
                _field_decision(tier.field.name, tier.field.values)
                if tier.field
                else pl.lit(None, DECISION)
            ).alias("tier_field"),
            first_of(label_branches(tier.labels)).alias("tier_label"),
            _mission_match(rules).alias("mission_match"),
            _work_type(rules).alias("work_type"),
            _is_unplanned(rules).alias("is_unplanned"),
        )
        .with_columns(
            (pl.coalesce(explicit) if explicit else pl.lit(None, DECISION)).alias("explicit_tier")
        )
        .with_columns(
            _chain([(has_explicit.gather(up).fill_null(False), up) for up in nodes[1:]]).alias(
                "inherit_from"
            ),
            best.alias("mission_number"),
            # The first mission in file order wins; among its matches, the nearest issue names it.
            _chain([((mission.gather(n) == best).fill_null(False), n) for n in nodes]).alias(
                "mission_at"
            ),
        )
        .collect(engine=ENGINE)
    )


def _unit_counts(issues: pl.DataFrame, issue_types: set[str]) -> pl.LazyFrame:
    """Per unit (`idx` of its row): its issues, and each issue type's share of those below it."""
    below = pl.col("idx") != pl.col("unit_idx")
    return (
        issues.lazy()
        .group_by("unit_idx")
        .agg(
            pl.len().cast(pl.UInt32).alias("issue_count"),
            *(
                pl.when(pl.len() > 1)
                .then(((pl.col("issue_type") == issue_type) & below).sum() / (pl.len() - 1))
                .alias(share_column(issue_type))
                for issue_type in sorted(issue_types)
            ),
        )
        .rename({"unit_idx": "idx"})
    )


def _per_unit(issues: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Tier, success curve, impact and mission of each unit, decided on the unit's own row."""
    share_types = {t for _, c in conditions(rules) for t in c.children_issue_type_share}
    # A unit's row needs the rules' inputs and the pointers, not what each issue decided alone.
    alone = ("explicit_tier", "mission_match", "work_type", "is_unplanned", "team_name")
    units = (
        issues.lazy()
        .filter(pl.col("unit_idx") == pl.col("idx"))
        .drop(*alone, "unit_idx", "parent_ref", "parent_idx", "hierarchy_level")
        .join(_unit_counts(issues, share_types), on="idx", how="left", maintain_order="left")
    )

    def of(column: str) -> pl.Expr:  # any issue's value by row index: `of(column).gather(idx)`
        return pl.lit(issues.get_column(column))

    in_project = pl.col("project_idx").is_not_null()
    key, team = pl.col("issue_key"), _value("team")
    project = pl.when(in_project).then(decided(key, pl.concat_str(pl.lit("hierarchy:"), key)))
    unplanned = decided(
        pl.concat_str(pl.lit(UNPLANNED_PREFIX), team),
        pl.concat_str(pl.lit("unplanned:"), "hierarchy_status"),
    )
    owner = pl.when(in_project).then(
        decided(team, pl.concat_str(pl.lit("project:"), _reason("team")))
    )
    return (
        units.with_columns(
            pl.coalesce(project, unplanned).alias("unit_project"),
            pl.coalesce(owner, decided(team, "unplanned:performing_team")).alias("unit_owner"),
            _unit_tier(rules, of).alias("unit_tier"),
            _unit_impact(rules).alias("unit_impact"),
            _unit_mission(rules, of).alias("unit_mission"),
        )
        .with_columns(_unit_curve(rules).alias("unit_curve"))
        .collect(engine=ENGINE)
    )


def _unit_tier(rules: Rules, of: Callable[[str], pl.Expr]) -> pl.Expr:
    tier, source = rules.risk_tier, pl.col("inherit_from")
    inherited = pl.when(source.is_not_null()).then(
        decided(
            of("explicit_tier").struct.field("value").gather(source),
            pl.concat_str(pl.lit("inherited:"), of("issue_key").gather(source)),
        )
    )
    sources = {
        "field": pl.col("tier_field"),
        "label": pl.col("tier_label"),
        "inherited": inherited,
        "rule": first_of(rule_branches(tier.rules, lambda r: r.tier, rules.sprint_field)),
    }
    return pl.coalesce(*(sources[s] for s in tier.precedence), decided(UNCLASSIFIED, "default"))


def _unit_curve(rules: Rules) -> pl.Expr:
    curve = rules.success_curve
    return pl.coalesce(
        _field_decision(curve.field.name, curve.field.values)
        if curve.field
        else pl.lit(None, DECISION),
        first_of(label_branches(curve.labels)),
        first_of(rule_branches(curve.rules, lambda r: r.curve, rules.sprint_field)),
        _by_tier(_value("unit_tier"), curve.by_tier.model_dump()),
    )


def _unit_impact(rules: Rules) -> pl.Expr:
    impact = rules.impact
    if impact.field is None:
        return decided(impact.default, "default")
    value = pl.col(field_column(impact.field))
    return pl.coalesce(
        pl.when(value.is_not_null()).then(decided(value, f"field:{impact.field}")),
        decided(impact.default, f"default:{impact.field} empty"),
    )


def _unit_mission(rules: Rules, of: Callable[[str], pl.Expr]) -> pl.Expr:
    number, at = pl.col("mission_number"), pl.col("mission_at")
    missions = dict(enumerate(rules.missions))
    found = pl.struct(
        value=number.replace_strict(
            {i: m.name for i, m in missions.items()}, default=None, return_dtype=pl.String
        ),
        deadline=number.replace_strict(
            {i: m.deadline for i, m in missions.items()}, default=None, return_dtype=pl.Date
        ),
        reason=pl.concat_str(
            of("mission_match").struct.field("reason").gather(at), of("issue_key").gather(at)
        ),
    )
    none = pl.struct(
        value=pl.lit(None, pl.String), deadline=pl.lit(None, pl.Date), reason=pl.lit("none")
    )
    return pl.coalesce(pl.when(number.is_not_null()).then(found), none)


def evaluate(prepared: pl.DataFrame, rules: Rules) -> Evaluation:
    issues = _per_issue(prepared, rules)
    return Evaluation(issues=issues, units=_per_unit(issues, rules))


# ---------------------------------------------------------------------------------------------
# Output tables
# ---------------------------------------------------------------------------------------------

UNIT_DECISIONS = (
    "unit_project",
    "unit_owner",
    "unit_tier",
    "unit_curve",
    "unit_impact",
    "unit_mission",
)


def _decision(name: str, decision: str | pl.Expr) -> list[pl.Expr]:
    decision = pl.col(decision) if isinstance(decision, str) else decision
    return [
        decision.struct.field("value").alias(name),
        decision.struct.field("reason").alias(f"{name}_reason"),
    ]


def _issue_table(evaluation: Evaluation, rules: Rules) -> pl.DataFrame:
    issues, units = evaluation.issues, evaluation.units
    # Each issue's unit decisions, gathered by the unit's position in `units` (only the unit
    # columns are copied, and no hash join is needed: units are addressed by row index).
    position = pl.repeat(None, issues.height, dtype=pl.UInt32, eager=True).scatter(
        units["idx"], pl.int_range(units.height, dtype=pl.UInt32, eager=True)
    )
    of_unit = units.select(UNIT_DECISIONS)[position.gather(issues["unit_idx"])]
    # A unit's own row takes the unit's tier (decided by precedence); an issue below a project
    # keeps its own field or label tier over the project's.
    own = issues.select(
        "issue_id",
        "issue_key",
        "hierarchy_status",
        "parent_status",
        "team",
        pl.when(pl.col("idx") != pl.col("unit_idx")).then("explicit_tier").alias("own_tier"),
    )
    p_success = rules.p_success.model_dump()
    return (
        own.hstack(of_unit)
        .hstack(issues.select("work_type", "is_unplanned"))
        .lazy()
        .with_columns(pl.coalesce("own_tier", "unit_tier").alias("risk_tier"))
        .select(
            "issue_id",
            "issue_key",
            *_decision("project_id", "unit_project"),
            "hierarchy_status",
            "parent_status",
            *_decision("owning_team", "unit_owner"),
            *_decision("performing_team", "team"),
            *_decision("mission", "unit_mission"),
            *_decision("risk_tier", "risk_tier"),
            *_decision("success_curve", "unit_curve"),
            *_decision("impact", "unit_impact"),
            *_decision("p_success", _by_tier(_value("risk_tier"), p_success)),
            *_decision("work_type", "work_type"),
            *_decision("is_unplanned", "is_unplanned"),
        )
        .rename({"project_id_reason": "project_reason"})
        .with_columns(pl.col("impact").cast(pl.Float64))
        .collect(engine=ENGINE)
    )


def _project_table(evaluation: Evaluation, rules: Rules) -> pl.DataFrame:
    """Real projects from their own rows; one bucket per team for work outside any project."""
    units = evaluation.units.select(
        "idx",
        "project_idx",
        "issue_id",
        "issue_type",
        "summary",
        "project_key",
        "parent_status",
        "issue_count",
        "team",
        *UNIT_DECISIONS,
    )
    in_project = pl.col("project_idx").is_not_null()
    projects = units.filter(in_project).select(
        _value("unit_project").alias("project_id"),
        pl.lit(False).alias("is_unplanned_project"),
        pl.col("issue_id").alias("project_issue_id"),
        "issue_type",
        "summary",
        pl.col("project_key").alias("jira_project_key"),
        "parent_status",
        "issue_count",
        *_decision("owning_team", "team"),
        *_decision("mission", "unit_mission"),
        pl.col("unit_mission").struct.field("deadline").alias("mission_deadline"),
        *_decision("risk_tier", "unit_tier"),
        *_decision("success_curve", "unit_curve"),
        *_decision("impact", "unit_impact"),
        *_decision("p_success", _by_tier(_value("unit_tier"), rules.p_success.model_dump())),
    )
    # Each issue in a bucket was classified on its own: the bucket has no tier, curve, impact or
    # mission of its own.
    per_issue = pl.lit("unplanned:per_issue")
    buckets = (
        units.filter(~in_project)
        .group_by(_value("unit_project").alias("project_id"))
        .agg(
            _value("unit_owner").first().alias("owning_team"),
            pl.col("issue_count").sum().alias("issue_count"),
        )
        .with_columns(
            pl.lit(True).alias("is_unplanned_project"),
            pl.lit("unplanned:performing_team").alias("owning_team_reason"),
            *(
                per_issue.alias(f"{column}_reason")
                for column in ("mission", "risk_tier", "success_curve", "impact", "p_success")
            ),
        )
    )
    return (
        pl.concat([projects, buckets], how="diagonal_relaxed")
        .select(PROJECT_COLUMNS)
        .with_columns(pl.col("impact").cast(pl.Float64), pl.col("issue_count").cast(pl.UInt32))
        .sort("project_id")
    )


def tabulate(evaluation: Evaluation, rules: Rules) -> Classification:
    issues = _issue_table(evaluation, rules)
    return Classification(
        issues=issues,
        projects=_project_table(evaluation, rules),
        team_tier_targets=_team_tier_targets(rules, issues),
        missions=_mission_table(rules),
    )


def _team_tier_targets(rules: Rules, issues: pl.DataFrame) -> pl.DataFrame:
    """Every declared, targeted or classified team's target share per tier (its own, else the
    default), so a team the rules never name still has a target to be measured against."""
    seen = pl.concat([issues["owning_team"], issues["performing_team"]]).drop_nulls().unique()
    teams = sorted({*rules.teams.declared, *rules.tier_targets.teams, *seen.to_list()})
    rows = [
        {
            "team": team,
            "risk_tier": tier,
            "target_share": getattr(rules.targets_for(team), tier),
            "target_source": "team" if team in rules.tier_targets.teams else "default",
        }
        for team in teams
        for tier in RISK_TIERS
    ]
    schema = {
        "team": pl.String,
        "risk_tier": pl.String,
        "target_share": pl.Float64,
        "target_source": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _mission_table(rules: Rules) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "mission": [mission.name for mission in rules.missions],
            "deadline": [mission.deadline for mission in rules.missions],
            "mission_order": list(range(1, len(rules.missions) + 1)),
        },
        schema={"mission": pl.String, "deadline": pl.Date, "mission_order": pl.Int64},
    )


def classify_issues(
    issues: pl.DataFrame, rules: Rules, field_ids: Mapping[str, str] | None = None
) -> Classification:
    """Classify issues (ISSUE_SCHEMA columns, keys unique) by the rules; field names in the rules
    resolve through `field_ids` (name -> id, from the site's field catalogue)."""
    return tabulate(evaluate(prepare(issues, rules, field_ids), rules), rules)


# ---------------------------------------------------------------------------------------------
# The landing zone in, Parquet out
# ---------------------------------------------------------------------------------------------


def latest_issues(landing_dir: Path) -> pl.LazyFrame:
    """The newest landed version of every issue across all batches."""
    return (
        pl.scan_parquet(part_glob(landing_dir, "issues"))
        .sort("updated_at", "batch_id")
        .unique("issue_id", keep="last", maintain_order=True)
    )


def landed_field_ids(landing_dir: Path) -> dict[str, str] | None:
    """Field name -> id from the newest batch's `fields` table, if the batch has one."""
    batches = [b for b in committed_batches(landing_dir) if (b / "fields").is_dir()]
    if not batches:
        return None
    fields = pl.read_parquet(batches[-1] / "fields" / "*.parquet")
    rows = fields.select(id="field_id", name="field_name").to_dicts()
    return field_ids_from_catalogue(rows)


def needs_field_catalogue(landing_dir: Path, rules: Rules) -> bool:
    """Whether the rules read fields whose ids the landing zone cannot provide."""
    return bool(field_references(rules)) and landed_field_ids(landing_dir) is None


def _write_atomically(frame: pl.DataFrame, path: Path) -> None:
    partial = path.with_name(f".{path.name}.partial")
    frame.write_parquet(partial)
    os.replace(partial, path)


def write_classification(
    landing_dir: Path,
    output_dir: Path,
    rules: Rules | None = None,
    field_ids: Mapping[str, str] | None = None,
) -> Classification:
    """Classify the newest landed issues into `output_dir`: the CLASSIFIED_FILES, each replaced
    atomically. Rules default to the default rules file, field ids to the landing's."""
    rules = rules or load_rules()
    if field_ids is None:
        field_ids = landed_field_ids(landing_dir)
    result = classify_issues(latest_issues(landing_dir).collect(engine=ENGINE), rules, field_ids)
    output_dir.mkdir(parents=True, exist_ok=True)
    for file, frame in classified_frames(result).items():
        _write_atomically(frame, output_dir / file)
    return result


def classified_frames(result: Classification) -> dict[str, pl.DataFrame]:
    """Each file the classification stage writes, with its content."""
    return {
        ISSUES_FILE: result.issues.sort("issue_key"),
        PROJECTS_FILE: result.projects,
        TEAM_TARGETS_FILE: result.team_tier_targets,
        MISSIONS_FILE: result.missions,
    }
