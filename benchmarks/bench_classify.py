"""Classification of 1,000,000 synthetic issues: the Polars engine against a row-at-a-time baseline.

The synthetic organisation has the shape of a real Jira: initiatives, epics (some under an
initiative), stories, tasks, bugs and spikes (most under an epic, some orphans), sub-tasks, labels
and components, a Team field on part of the issues, and two custom fields in the raw JSON (a
"Risk Tier" select on epics and initiatives, a "Business Value" number on epics). It also plants
a few cycles and parents outside the extracted scope. The raw JSON holds only the fields the rules
read (~200 bytes; a real issue's is ~4 KB, whose scanning grows with its size).

The rules are the default rules file plus that tier field and impact field. The baseline implements
the same rules in plain Python, one issue at a time (dicts, loops, `re`), and is checked to produce
the same classification as the engine before anything is timed. Both run on the same frame, in
the same process; the engine's time is the median of five runs after a warm-up.
"""

from __future__ import annotations

import json
import operator
import re
import time
from collections import Counter
from collections.abc import Callable

import numpy as np
import polars as pl

from benchmarks import Measurement
from ingest.classify import (
    ISSUE_COLUMNS,
    MAX_HIERARCHY_DEPTH,
    PROJECT_LEVELS,
    UNPLANNED_PREFIX,
    classify_issues,
)
from ingest.normalize import ISSUE_SCHEMA
from ingest.rules import (
    UNASSIGNED,
    UNCLASSIFIED,
    Condition,
    ImpactRules,
    Rules,
    TierField,
    load_rules,
    parse_threshold,
)

TIER_FIELD, IMPACT_FIELD = "customfield_10042", "customfield_10077"
FIELD_IDS = {"Risk Tier": TIER_FIELD, "Business Value": IMPACT_FIELD}
TEAMS = (("PAY", "Payments"), ("SRCH", "Search"), ("PLAT", "Platform"), ("MOB", "Mobile"))
TEAMS += (("DATA", "Data Insights"), ("GROW", "Growth"))  # GROW: no rule, so unassigned or Team
LABELS = ("frontend", "backend", "api", "ux", "security", "performance", "tech-debt", "support")
EPIC_LABELS = ("tier:sure", "tier:linear", "tier:moonshot", "experiment", "maintenance", "okr")
COMPONENTS = ("Checkout", "Payouts", "Indexing", "Ranking", "CI/CD", "iOS", "Pipelines")
TIER_VALUES = ("Safe", "Bet", "Moonshot", "Unsure")
COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
COMPARE["=="] = operator.eq


def benchmark_rules() -> Rules:
    rules = load_rules()
    tier_field = TierField(
        name="Risk Tier", values={"Safe": "sure_thing", "Bet": "linear_bet", "Moonshot": "moonshot"}
    )
    return rules.model_copy(
        update={
            "risk_tier": rules.risk_tier.model_copy(update={"field": tier_field}),
            "impact": ImpactRules(field="Business Value"),
        }
    )


def synthetic_issues(n: int, seed: int = 1) -> pl.DataFrame:
    """`n` issues of ISSUE_SCHEMA in a realistic hierarchy (numpy draws, Polars columns)."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(
        np.array(["Initiative", "Epic", "Story", "Task", "Bug", "Spike", "Sub-task"]),
        size=n,
        p=[0.002, 0.05, 0.40, 0.20, 0.16, 0.038, 0.15],
    )
    kinds[0], kinds[1] = "Initiative", "Epic"  # every level exists, even for tiny n
    levels = np.select(
        [kinds == "Initiative", kinds == "Epic", kinds == "Sub-task"], [2, 1, -1], default=0
    )
    by_level = {level: np.flatnonzero(levels == level) for level in (2, 1, 0)}

    def pick(pool: np.ndarray, share: float) -> np.ndarray:
        """A random member of `pool` for a `share` of the issues, else no parent (-1)."""
        chosen = pool[rng.integers(0, len(pool), size=n)] if len(pool) else np.full(n, -1)
        return np.where(rng.random(n) < share, chosen, -1)

    parent = np.full(n, -1)
    parent = np.where(levels == 1, pick(by_level[2], 0.5), parent)
    parent = np.where(levels == 0, pick(by_level[1], 0.88), parent)
    parent = np.where(levels == -1, pick(by_level[0], 1.0), parent)
    # A few broken links, as real sites have: parents outside the scope (-2), and 2-cycles.
    parent[rng.random(n) < 0.001] = -2
    stories = by_level[0][: min(200, len(by_level[0]) // 100) // 2 * 2]
    parent[stories[0::2]], parent[stories[1::2]] = stories[1::2], stories[0::2]
    epic_like = levels >= 1
    draws = pl.DataFrame(
        {
            "issue_id": np.arange(10000, 10000 + n).astype(str),
            "team": rng.integers(0, len(TEAMS), n),
            "issue_type": kinds,
            "hierarchy_level": levels,
            "parent": parent,
            "label": np.where(rng.random(n) < 0.28, rng.integers(0, len(LABELS), n), -1),
            "okr": rng.random(n) < 0.1,
            "epic_label": np.where(
                epic_like & (rng.random(n) < 0.45), rng.integers(0, len(EPIC_LABELS), n), -1
            ),
            "component": rng.integers(0, len(COMPONENTS), n),
            "tier": np.where(epic_like & (rng.random(n) < 0.3), rng.integers(0, 4, n), -1),
            "value": np.where((levels == 1) & (rng.random(n) < 0.5), rng.integers(1, 100, n), -1),
            "has_team_field": rng.random(n) < 0.4,
            "status_category": rng.choice(["new", "indeterminate", "done"], n),
            "priority": rng.choice(["High", "Medium", "Low"], n),
        }
    )

    def pick_from(values: tuple[str, ...], index: str) -> pl.Expr:
        return pl.lit(pl.Series(values)).gather(pl.col(index))

    project_key = pick_from(tuple(key for key, _ in TEAMS), "team")
    draws = draws.with_columns(
        pl.concat_str(project_key, pl.lit("-"), (pl.int_range(pl.len()) + 1).cast(pl.String)).alias(
            "issue_key"
        )
    )
    tier, value, label = pl.col("tier"), pl.col("value"), pl.col("label")
    tier_json = pl.concat_str(
        pl.lit('{"id":"1","value":"'), pick_from(TIER_VALUES, "tier"), pl.lit('"}')
    )
    raw_json = pl.concat_str(
        pl.lit(f'{{"fields":{{"{TIER_FIELD}":'),
        pl.when(tier >= 0).then(tier_json).otherwise(pl.lit("null")),
        pl.lit(f',"{IMPACT_FIELD}":'),
        pl.when(value >= 0).then(value.cast(pl.String)).otherwise(pl.lit("null")),
        pl.lit('},"key":"'),
        pl.col("issue_key"),
        pl.lit('"}'),
    )
    leaf_labels = pl.concat_list(
        pl.when(label >= 0).then(pick_from(LABELS, "label")),
        pl.when(pl.col("okr") & (label >= 0)).then(pl.lit("okr")),
    )
    columns = {
        "project_key": project_key,
        "summary": pl.concat_str("issue_type", pl.lit(" "), pl.int_range(pl.len()) % 97),
        "labels": pl.when(pl.col("epic_label") >= 0)
        .then(pl.concat_list(pick_from(EPIC_LABELS, "epic_label")))
        .otherwise(leaf_labels)
        .list.drop_nulls(),
        "components": pl.concat_list(pick_from(COMPONENTS, "component")),
        # As Cloud lands them: the parent's key and its numeric id.
        "parent_key": pl.when(pl.col("parent") >= 0)
        .then(pl.col("issue_key").gather(pl.col("parent").clip(0)))
        .when(pl.col("parent") == -2)
        .then(pl.lit("ARCHIVED-1")),
        "parent_id": pl.when(pl.col("parent") >= 0)
        .then(pl.col("issue_id").gather(pl.col("parent").clip(0)))
        .when(pl.col("parent") == -2)
        .then(pl.lit("1")),
        "team_name": pl.when("has_team_field").then(pick_from(tuple(t for _, t in TEAMS), "team")),
        "raw_json": raw_json,
    }
    return draws.select(
        (columns.get(name, pl.col(name) if name in draws.columns else pl.lit(None)))
        .cast(dtype)
        .alias(name)
        for name, dtype in ISSUE_SCHEMA.items()
    )


# ---------------------------------------------------------------------------------------------
# The baseline: the same rules, one issue at a time in plain Python
# ---------------------------------------------------------------------------------------------


def _field_text(raw: str, field_id: str) -> str | None:
    value = (json.loads(raw).get("fields") or {}).get(field_id)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("value", value.get("name"))
    return None if value is None else str(value)


def _holds(condition: Condition, issue: dict, shares: dict[str, float]) -> bool:
    if condition.issue_type and issue["issue_type"] not in condition.issue_type:
        return False
    if condition.project_key and issue["project_key"] not in condition.project_key:
        return False
    if condition.status_category and issue["status_category"] not in condition.status_category:
        return False
    if condition.priority and issue["priority"] not in condition.priority:
        return False
    if condition.labels and not set(condition.labels) & set(issue["labels"] or ()):
        return False
    if condition.components and not set(condition.components) & set(issue["components"] or ()):
        return False
    for name, values in condition.fields.items():
        if issue["fields"].get(name) not in values:
            return False
    if condition.summary_matches is not None and not re.search(
        condition.summary_matches, issue["summary"] or ""
    ):
        return False
    for issue_type, threshold in condition.children_issue_type_share.items():
        op, limit = parse_threshold(threshold)
        share = shares.get(issue_type)
        if share is None or not COMPARE[op](share, limit):
            return False
    return not condition.board  # the benchmark's rules have no board conditions


def _first_rule(rules, issue: dict, shares: dict, value: Callable) -> tuple | None:
    for rule in rules:
        if any(_holds(c, issue, shares) for c in rule.when):
            return value(rule), f"rule:{rule.name}"
    return None


def baseline(issues: pl.DataFrame, rules: Rules) -> list[dict]:
    """Row-at-a-time classification with the engine's semantics (no vectorisation)."""
    rows = issues.to_dicts()
    by_key: dict[str, dict] = {}
    for row in rows:
        by_key.setdefault(row["issue_key"], row)
    level = PROJECT_LEVELS[rules.project_level]
    field_ids = {name: FIELD_IDS[name] for name in ("Risk Tier", "Business Value")}
    tier_rules = rules.risk_tier
    declared = set(rules.teams.declared)
    for row in rows:
        row["parent"] = row["parent_key"] or row["epic_link_key"]
        row["parent_status"] = (
            "none"
            if not row["parent"]
            else "in_scope"
            if row["parent"] in by_key
            else "outside_scope"
        )
        row["fields"] = {name: _field_text(row["raw_json"], fid) for name, fid in field_ids.items()}
        team = row["team_name"]
        if team is not None:
            row["team"] = (team, "field:Team" if team in declared else "unknown_team:field:Team")
        else:
            project = row.get("project_name") or row["project_key"]
            fallback = (
                (project, f"jira_project:{row['project_key']}")
                if rules.teams.fallback == "jira_project" and project
                else (UNASSIGNED, "default")
            )
            row["team"] = _first_rule(rules.teams.rules, row, {}, lambda r: r.team) or fallback
        explicit = None
        tier_field = tier_rules.field
        mapped = tier_field.values.get(row["fields"]["Risk Tier"]) if tier_field else None
        if mapped:
            explicit = (mapped, f"field:Risk Tier={row['fields']['Risk Tier']}")
        else:
            for label, tier in tier_rules.labels.items():
                if label in (row["labels"] or ()):
                    explicit = (tier, f"label:{label}")
                    break
        row["explicit"] = explicit
    # The walk: each issue follows its parents until it meets the project level.
    for row in rows:
        node, status, project = row, "cycle", None
        for depth in range(MAX_HIERARCHY_DEPTH + 1):
            if node["hierarchy_level"] == level:
                status, project = "ok", node
                break
            if node["hierarchy_level"] > level:
                status = "above_project_level"
                break
            parent = by_key.get(node["parent"]) if node["parent"] else None
            if parent is None:
                status = "parent_outside_scope" if node["parent"] else "orphan"
                break
            if depth == MAX_HIERARCHY_DEPTH:
                break
            node = parent
        row["status"], row["project"] = status, project
    counts: dict[str, Counter] = {}
    for row in rows:
        project = row["project"]
        if project is not None and project is not row:
            counts.setdefault(project["issue_key"], Counter())[row["issue_type"]] += 1
    for row in rows:
        unit = row["project"] or row
        if "unit_tier" not in unit:
            _decide_unit(unit, by_key, counts, rules)
    return [_issue_out(row, rules) for row in rows]


def _decide_unit(unit: dict, by_key: dict, counts: dict, rules: Rules) -> None:
    counter = counts.get(unit["issue_key"], Counter())
    total = sum(counter.values())
    shares = {t: counter[t] / total for t in ("Spike", "Bug")} if total else {}
    inherited, node = None, unit
    for _ in range(MAX_HIERARCHY_DEPTH):
        node = by_key.get(node["parent"]) if node["parent"] else None
        if node is None:
            break
        if node["explicit"]:
            inherited = (node["explicit"][0], f"inherited:{node['issue_key']}")
            break
    rule = _first_rule(rules.risk_tier.rules, unit, shares, lambda r: r.tier)
    unit["unit_tier"] = unit["explicit"] or inherited or rule or (UNCLASSIFIED, "default")
    tier = unit["unit_tier"][0]
    curve = rules.success_curve
    label_curve = next((c for label, c in curve.labels.items() if label in unit["labels"]), None)
    unit["unit_curve"] = (
        (label_curve, f"label:{next(k for k in curve.labels if k in unit['labels'])}")
        if label_curve
        else (getattr(curve.by_tier, tier), f"tier:{tier}")
    )
    value = unit["fields"]["Business Value"]
    unit["unit_impact"] = (
        (float(value), "field:Business Value")
        if value is not None
        else (rules.impact.default, "default:Business Value empty")
    )
    unit["unit_mission"] = _mission(unit, by_key, rules)


def _mission(unit: dict, by_key: dict, rules: Rules) -> tuple:
    for mission in rules.missions:
        node = unit
        for _ in range(MAX_HIERARCHY_DEPTH + 1):
            if node is None:
                break
            if node["issue_key"] in mission.initiatives:
                return mission.name, f"initiative:{node['issue_key']}"
            label = next((lb for lb in mission.labels if lb in node["labels"]), None)
            if label:
                return mission.name, f"label:{label}@{node['issue_key']}"
            rule = _first_rule(mission.rules, node, {}, lambda r: r.name)
            if rule:
                return mission.name, f"rule:{rule[0]}@{node['issue_key']}"
            node = by_key.get(node["parent"]) if node["parent"] else None
    return None, "none"


def _issue_out(row: dict, rules: Rules) -> dict:
    unit = row["project"] or row
    team, team_reason = row["team"]
    tier, tier_reason = row["explicit"] or unit["unit_tier"]
    work = rules.work_type
    label = next((lb for lb in work.labels if lb in row["labels"]), None)
    if label:
        work_type = (work.labels[label], f"label:{label}")
    elif row["issue_type"] in work.issue_types:
        work_type = (work.issue_types[row["issue_type"]], f"issue_type:{row['issue_type']}")
    else:
        work_type = (work.default, "default")
    unplanned = rules.unplanned
    unplanned_label = next((lb for lb in unplanned.labels if lb in row["labels"]), None)
    if row["issue_type"] in unplanned.issue_types:
        is_unplanned = (True, f"issue_type:{row['issue_type']}")
    else:
        is_unplanned = (True, f"label:{unplanned_label}") if unplanned_label else (False, "default")
    in_project = row["project"] is not None
    return {
        "issue_id": row["issue_id"],
        "issue_key": row["issue_key"],
        "project_id": unit["issue_key"] if in_project else f"{UNPLANNED_PREFIX}{team}",
        "project_reason": f"hierarchy:{unit['issue_key']}"
        if in_project
        else f"unplanned:{row['status']}",
        "hierarchy_status": row["status"],
        "parent_status": row["parent_status"],
        "owning_team": unit["team"][0],
        "owning_team_reason": f"project:{unit['team'][1]}"
        if in_project
        else "unplanned:performing_team",
        "performing_team": team,
        "performing_team_reason": team_reason,
        "mission": unit["unit_mission"][0],
        "mission_reason": unit["unit_mission"][1],
        "risk_tier": tier,
        "risk_tier_reason": tier_reason,
        "success_curve": unit["unit_curve"][0],
        "success_curve_reason": unit["unit_curve"][1],
        "impact": unit["unit_impact"][0],
        "impact_reason": unit["unit_impact"][1],
        "p_success": getattr(rules.p_success, tier),
        "p_success_reason": f"tier:{tier}",
        "work_type": work_type[0],
        "work_type_reason": work_type[1],
        "is_unplanned": is_unplanned[0],
        "is_unplanned_reason": is_unplanned[1],
    }


# ---------------------------------------------------------------------------------------------
# The measurement
# ---------------------------------------------------------------------------------------------


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _same_classification(issues: pl.DataFrame, rules: Rules) -> None:
    """The baseline is only a fair comparison if it decides exactly what the engine decides."""
    engine = classify_issues(issues, rules, FIELD_IDS).issues.select(ISSUE_COLUMNS).to_dicts()
    expected = baseline(issues, rules)
    differing = [(e, b) for e, b in zip(engine, expected, strict=True) if e != b]
    if differing:
        raise AssertionError(
            f"baseline and engine disagree on {len(differing)} issues: {differing[0]}"
        )


def run(quick: bool) -> list[Measurement]:
    size = 20_000 if quick else 1_000_000
    rules = benchmark_rules()
    _same_classification(synthetic_issues(min(size, 20_000), seed=2), rules)
    issues = synthetic_issues(size)
    classify_issues(issues, rules, FIELD_IDS)  # warm-up: thread pool, regex caches
    runs = sorted(_seconds(lambda: classify_issues(issues, rules, FIELD_IDS)) for _ in range(5))
    engine = runs[len(runs) // 2]
    # One run of the baseline on the same issues (about 40 s per million: no need to repeat).
    python = _seconds(lambda: baseline(issues, rules))
    return [
        Measurement(
            "classify",
            "polars engine",
            engine,
            "s",
            f"{size:,} issues, median of 5 (best {runs[0]:.2f} s): {size / engine:,.0f} issues/s",
        ),
        Measurement(
            "classify",
            "python row-at-a-time",
            python,
            "s",
            f"{size:,} issues, one run: {size / python:,.0f} issues/s",
        ),
        Measurement("classify", "speed-up", python / engine, "x", "baseline time / engine time"),
    ]
