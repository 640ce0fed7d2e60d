"""Classification in Polars: each issue's project, teams and risk tier, each with its reason.

A first rule set (the rules file of a deployment replaces these defaults later). Every decision is a
column expression or a join over the whole frame, never per-row Python, so it scales with Polars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.landing import part_glob

RISK_TIERS = ("sure_thing", "linear_bet", "moonshot")
UNCLASSIFIED = "unclassified"
PROJECT_LEVEL = 1  # epics; the initiative level (2) becomes configurable with the rules file
MAX_HIERARCHY_DEPTH = 8  # deeper than any Jira hierarchy: a longer chain can only be a cycle


@dataclass(frozen=True)
class TierRule:
    """Projects (and orphan issues) matching any label or issue type get `tier`."""

    name: str
    tier: str
    labels: tuple[str, ...] = ()
    issue_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassificationRules:
    tier_labels: dict[str, str] = field(
        default_factory=lambda: {
            "tier:sure": "sure_thing",
            "tier:linear": "linear_bet",
            "tier:moonshot": "moonshot",
        }
    )
    tier_rules: tuple[TierRule, ...] = (
        TierRule(
            "experiment-is-moonshot", "moonshot", labels=("experiment",), issue_types=("Spike",)
        ),
        TierRule(
            "maintenance-is-sure-thing",
            "sure_thing",
            labels=("maintenance", "tech-debt"),
            issue_types=("Bug", "Incident"),
        ),
    )


def latest_issues(landing_dir: Path) -> pl.LazyFrame:
    """The newest landed version of every issue across all batches."""
    return (
        pl.scan_parquet(part_glob(landing_dir, "issues"))
        .sort("updated_at", "batch_id")
        .unique("issue_id", keep="last")
    )


def _decision(tier: pl.Expr | str, reason: pl.Expr | str) -> pl.Expr:
    """A tier with the reason that decided it, kept together through every join."""
    as_expr = lambda value: pl.lit(value) if isinstance(value, str) else value  # noqa: E731
    return pl.struct(tier=as_expr(tier), reason=as_expr(reason))


DEFAULT_DECISION = _decision(UNCLASSIFIED, "default")


def _label_decision(labels: pl.Expr, rules: ClassificationRules) -> pl.Expr:
    """The first configured tier label present on the issue, else null."""
    decision = pl.lit(None)
    for label, tier in reversed(rules.tier_labels.items()):
        decision = (
            pl.when(labels.list.contains(label))
            .then(_decision(tier, f"label:{label}"))
            .otherwise(decision)
        )
    return decision


def _rule_decision(labels: pl.Expr, issue_type: pl.Expr, rules: ClassificationRules) -> pl.Expr:
    """The first ordered rule the issue matches, else null."""
    decision = pl.lit(None)
    for rule in reversed(rules.tier_rules):
        matches = issue_type.is_in(list(rule.issue_types))
        for label in rule.labels:
            matches = matches | labels.list.contains(label)
        decision = (
            pl.when(matches).then(_decision(rule.tier, f"rule:{rule.name}")).otherwise(decision)
        )
    return decision


def _walk_to_project(issues: pl.DataFrame) -> pl.DataFrame:
    """Each issue's project: itself or its nearest ancestor at the project level.

    The walk is a bounded loop of joins over the whole frame (one per hierarchy level), so its cost
    grows with the number of issues, not with per-row Python. `hierarchy_status` says why an issue
    has no project.
    """
    nodes = issues.select(
        step_key=pl.col("issue_key"),
        step_parent=pl.col("parent_ref"),
        step_level=pl.col("hierarchy_level"),
    )
    frontier = issues.select(
        "issue_key",
        step_key=pl.col("issue_key"),
        visited=pl.concat_list(pl.col("issue_key")),
    )
    resolved = []
    for _ in range(MAX_HIERARCHY_DEPTH):
        frontier = frontier.join(nodes, on="step_key", how="left")
        at_project = frontier["step_level"] == PROJECT_LEVEL
        resolved.append(
            frontier.filter(at_project).select(
                "issue_key", project_epic_key="step_key", hierarchy_status=pl.lit("ok")
            )
        )
        frontier = frontier.filter(~at_project)
        parent = pl.col("step_parent")
        status = (
            pl.when(pl.col("step_level") > PROJECT_LEVEL)
            .then(pl.lit("above_project_level"))
            .when(parent.is_null())
            .then(pl.lit("orphan"))
            .when(pl.col("visited").list.contains(parent))
            .then(pl.lit("cycle"))
            .when(~parent.is_in(nodes["step_key"].implode()))
            .then(pl.lit("parent_outside_scope"))
        )
        frontier = frontier.with_columns(status=status)
        resolved.append(
            frontier.filter(pl.col("status").is_not_null()).select(
                "issue_key", project_epic_key=pl.lit(None, pl.String), hierarchy_status="status"
            )
        )
        frontier = frontier.filter(pl.col("status").is_null()).select(
            "issue_key",
            step_key="step_parent",
            visited=pl.col("visited").list.concat(pl.concat_list("step_parent")),
        )
        if frontier.is_empty():
            break
    resolved.append(
        frontier.select(
            "issue_key", project_epic_key=pl.lit(None, pl.String), hierarchy_status=pl.lit("cycle")
        )
    )
    return pl.concat(resolved)


def classify_issues(issues: pl.DataFrame, rules: ClassificationRules | None = None) -> pl.DataFrame:
    """One row per issue: project, owning and performing team, risk tier, each with a reason."""
    rules = rules or ClassificationRules()
    issues = issues.with_columns(
        # `parent` is the modern link; older instances tie stories to epics by the Epic Link field.
        parent_ref=pl.coalesce("parent_key", "epic_link_key"),
        performing_team=pl.coalesce("team_name", "project_name", "project_key"),
        performing_team_reason=pl.when(pl.col("team_name").is_not_null())
        .then(pl.lit("field:Team"))
        .otherwise(pl.concat_str(pl.lit("jira_project:"), pl.col("project_key"))),
    )
    own = issues.with_columns(
        label_decision=_label_decision(pl.col("labels"), rules),
        rule_decision=_rule_decision(pl.col("labels"), pl.col("issue_type"), rules),
    )
    parents = own.select(parent_ref="issue_key", parent_label_decision="label_decision")
    inherited = _decision(
        pl.col("parent_label_decision").struct.field("tier"),
        pl.concat_str(pl.lit("inherited:"), "parent_ref"),
    )
    # A project's tier: its own label, then its parent initiative's label, then the ordered rules.
    project_tiers = own.join(parents, on="parent_ref", how="left").select(
        project_epic_key="issue_key",
        owning_team="performing_team",
        owning_team_reason=pl.concat_str(pl.lit("project:"), "performing_team_reason"),
        project_decision=pl.coalesce(
            "label_decision",
            pl.when(pl.col("parent_label_decision").is_not_null()).then(inherited),
            "rule_decision",
            DEFAULT_DECISION,
        ),
    )
    classified = (
        own.join(_walk_to_project(issues), on="issue_key", how="left")
        .join(project_tiers, on="project_epic_key", how="left")
        .with_columns(
            project_id=pl.coalesce(
                "project_epic_key", pl.concat_str(pl.lit("UNPLANNED-"), "performing_team")
            ),
            project_reason=pl.when(pl.col("project_epic_key").is_not_null())
            .then(pl.concat_str(pl.lit("hierarchy:"), "project_epic_key"))
            .otherwise(pl.concat_str(pl.lit("unplanned:"), "hierarchy_status")),
            owning_team=pl.coalesce("owning_team", "performing_team"),
            owning_team_reason=pl.coalesce(
                "owning_team_reason", pl.lit("unplanned:performing_team")
            ),
            # An issue's own tier label wins; otherwise the project's tier; orphans use the rules.
            decision=pl.coalesce(
                "label_decision", "project_decision", "rule_decision", DEFAULT_DECISION
            ),
        )
        .with_columns(
            risk_tier=pl.col("decision").struct.field("tier"),
            risk_tier_reason=pl.col("decision").struct.field("reason"),
        )
    )
    return classified.select(
        "issue_id",
        "issue_key",
        "project_id",
        "project_reason",
        "hierarchy_status",
        "owning_team",
        "owning_team_reason",
        "performing_team",
        "performing_team_reason",
        "risk_tier",
        "risk_tier_reason",
    ).sort("issue_key")


def write_classification(
    landing_dir: Path, output_path: Path, rules: ClassificationRules | None = None
) -> int:
    """Classify the newest landed issues into `output_path`, replaced atomically; returns rows."""
    classified = classify_issues(latest_issues(landing_dir).collect(), rules)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    partial = output_path.with_suffix(".partial")
    classified.write_parquet(partial)
    partial.replace(output_path)
    return classified.height
