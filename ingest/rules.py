"""The classification rules file: its schema, loading and validation.

One YAML file per deployment declares how Jira becomes a portfolio (spec sections 1 and 2): the
hierarchy level that makes a project, team resolution, risk tier sources in precedence order,
success curves, impact, p_success, work types, unplanned work, missions and tier targets.
`config/classification.yaml` is the documented example and the default.

The file is validated completely before anything runs. Every problem becomes one line of a
`RulesError`: `<file>:<line>: <key>: <what is wrong>. Fix: <what to do>.` Field names are checked
separately, once the site's field catalogue is known (`resolve_field_ids`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import polars as pl
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
)

DEFAULT_RULES_FILE = Path(__file__).resolve().parents[1] / "config" / "classification.yaml"

RISK_TIERS = ("sure_thing", "linear_bet", "moonshot")
UNCLASSIFIED = "unclassified"
UNASSIGNED = "unassigned"
TIER_SOURCES = ("field", "label", "inherited", "rule")

Tier = Literal["sure_thing", "linear_bet", "moonshot"]
Curve = Literal["binary", "linear"]
WorkType = Literal["feature", "defect", "risk", "debt"]
StatusCategory = Literal["new", "indeterminate", "done"]
TierSource = Literal["field", "label", "inherited", "rule"]

Loc = tuple[str | int, ...]


class RulesError(ValueError):
    """An invalid rules file; one line per problem, each naming the file, line, key and fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid classification rules:\n" + "\n".join(problems))


def _as_tuple(value: Any) -> Any:
    """A single value where a list is expected means a list of one (`labels: experiment`)."""
    return (value,) if isinstance(value, str | int | dict) else value


def _check_regex(pattern: str) -> str:
    # Polars (Rust regex) evaluates the pattern, so Polars must be the one to accept it.
    try:
        pl.Series([""]).str.contains(pattern)
    except pl.exceptions.PolarsError as error:
        detail = str(error).strip().splitlines()[-1].strip()
        raise ValueError(
            f"{pattern!r} is not a valid regular expression ({detail}). Fix: correct the pattern; "
            "it uses Rust regex syntax (no look-around or back-references), `(?i)` for "
            "case-insensitive"
        ) from None
    return pattern


_THRESHOLD = re.compile(r"\s*(>=|<=|>|<|==)\s*([01](?:\.\d+)?|\.\d+)\s*")


def parse_threshold(text: str) -> tuple[str, float]:
    """`">= 0.5"` -> (">=", 0.5)."""
    match = _THRESHOLD.fullmatch(text)
    if not match or float(match[2]) > 1:
        raise ValueError(
            f"{text!r} is not a share condition. Fix: write an operator (>=, >, <=, <, ==) and a "
            'share between 0 and 1, quoted, e.g. ">= 0.5"'
        )
    return match[1], float(match[2])


def _check_threshold(text: str) -> str:
    parse_threshold(text)
    return text


def _check_rule_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name):
        raise ValueError(
            f"rule name {name!r} is not a plain name. Fix: use letters, digits, '-', '_' and '.' "
            "only (it appears in reasons as rule:<name>)"
        )
    return name


Names = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]
Regex = Annotated[str, AfterValidator(_check_regex)]
Threshold = Annotated[str, AfterValidator(_check_threshold)]
RuleName = Annotated[str, AfterValidator(_check_rule_name)]
Share = Annotated[float, Field(ge=0, le=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Model):
    """Every key given must hold; a list under one key means any of its values.

    `{}` matches every issue. `children_issue_type_share` compares the share of each issue type
    among all issues below a project, so it only ever holds on project issues.
    """

    issue_type: Names = ()
    labels: Names = ()
    components: Names = ()
    project_key: Names = ()
    status_category: Annotated[tuple[StatusCategory, ...], BeforeValidator(_as_tuple)] = ()
    priority: Names = ()
    board: Annotated[tuple[int, ...], BeforeValidator(_as_tuple)] = ()
    fields: dict[str, Names] = {}
    summary_matches: Regex | None = None
    children_issue_type_share: dict[str, Threshold] = {}


# One condition or a list of them: the rule holds when any of them holds.
When = Annotated[tuple[Condition, ...], BeforeValidator(_as_tuple), Field(min_length=1)]


class TeamRule(_Model):
    name: RuleName
    team: str
    when: When


class TierRule(_Model):
    name: RuleName
    tier: Tier
    when: When


class CurveRule(_Model):
    name: RuleName
    curve: Curve
    when: When


class MissionRule(_Model):
    name: RuleName
    when: When


class TierField(_Model):
    name: str
    values: dict[str, Tier] = Field(min_length=1)


class CurveField(_Model):
    name: str
    values: dict[str, Curve] = Field(min_length=1)


class Teams(_Model):
    declared: Names = ()
    use_team_field: bool = True
    unknown_teams: Literal["keep", "ignore"] = "keep"
    rules: tuple[TeamRule, ...] = ()
    # When neither decides: an explicit `unassigned`, or the Jira project's name (a sound first
    # guess on a site never seen before: most organisations give each team its own project).
    fallback: Literal["unassigned", "jira_project"] = "unassigned"


class RiskTierRules(_Model):
    precedence: tuple[TierSource, ...] = TIER_SOURCES
    field: TierField | None = None
    labels: dict[str, Tier] = {
        "tier:sure": "sure_thing",
        "tier:linear": "linear_bet",
        "tier:moonshot": "moonshot",
    }
    rules: tuple[TierRule, ...] = ()


class PerTierCurve(_Model):
    sure_thing: Curve = "linear"
    linear_bet: Curve = "linear"
    moonshot: Curve = "binary"
    unclassified: Curve = "linear"


class SuccessCurveRules(_Model):
    field: CurveField | None = None
    labels: dict[str, Curve] = {}
    rules: tuple[CurveRule, ...] = ()
    by_tier: PerTierCurve = PerTierCurve()


class ImpactRules(_Model):
    field: str | None = None
    default: Annotated[float, Field(ge=0)] = 1.0


class PSuccess(_Model):
    sure_thing: Share = 0.9
    linear_bet: Share = 0.6
    moonshot: Share = 0.2
    # An unstated bet counts as an ordinary one: neither inflated nor dropped from expected impact.
    unclassified: Share = 0.6


class WorkTypeRules(_Model):
    labels: dict[str, WorkType] = {}
    issue_types: dict[str, WorkType] = {}
    default: WorkType = "feature"


class UnplannedRules(_Model):
    issue_types: Names = ("Bug", "Incident", "Support")
    labels: Names = ()


class Mission(_Model):
    name: str
    deadline: date
    initiatives: Names = ()
    labels: Names = ()
    rules: tuple[MissionRule, ...] = ()


class TierShares(_Model):
    sure_thing: Share
    linear_bet: Share
    moonshot: Share


class TierTargets(_Model):
    default: TierShares = TierShares(sure_thing=0.6, linear_bet=0.3, moonshot=0.1)
    teams: dict[str, TierShares] = {}


class Rules(_Model):
    version: Literal[1] = 1
    project_level: Literal["epic", "initiative"] = "epic"
    sprint_field: str = "Sprint"
    teams: Teams = Teams()
    risk_tier: RiskTierRules = RiskTierRules()
    success_curve: SuccessCurveRules = SuccessCurveRules()
    impact: ImpactRules = ImpactRules()
    p_success: PSuccess = PSuccess()
    work_type: WorkTypeRules = WorkTypeRules()
    unplanned: UnplannedRules = UnplannedRules()
    missions: tuple[Mission, ...] = ()
    tier_targets: TierTargets = TierTargets()

    _locator: Locator = PrivateAttr(default_factory=lambda: Locator("<rules>", {}))

    @property
    def source(self) -> str:
        return self._locator.source

    def problem(self, loc: Loc, message: str) -> str:
        return self._locator.problem(loc, message)

    def targets_for(self, team: str) -> TierShares:
        return self.tier_targets.teams.get(team, self.tier_targets.default)


@dataclass(frozen=True)
class Locator:
    """Where each key of a rules file is, so that a problem names the file, line and key."""

    source: str
    lines: Mapping[Loc, int]

    def problem(self, loc: Loc, message: str) -> str:
        # The deepest key of `loc` present in the file: a default or a missing key has no line.
        line = next(
            (self.lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in self.lines), None
        )
        where = f"{self.source}:{line}" if line else self.source
        return f"{where}: {dotted(loc) or '(top level)'}: {message}"


def dotted(loc: Loc) -> str:
    """('risk_tier', 'rules', 2, 'tier') -> 'risk_tier.rules[2].tier'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_rules(path: Path | str | None = None) -> Rules:
    """Read and validate a rules file; raises `RulesError` listing every problem."""
    path = Path(path) if path else DEFAULT_RULES_FILE
    try:
        text = path.read_text()
    except OSError as error:
        raise RulesError(
            [
                f"{path}: cannot read the rules file ({error.strerror}). Fix: point "
                f"PORTFOLIO_RULES_FILE at an existing file, e.g. {DEFAULT_RULES_FILE}."
            ]
        ) from None
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str = "<rules>") -> Rules:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise RulesError(
            [f"{source}{line}: not valid YAML ({error.problem}). Fix: correct the YAML syntax."]
        ) from None
    lines: dict[Loc, int] = {}
    problems = [f"{source}:{line}: {message}" for line, message in _index(root, (), lines)]
    locator = Locator(source, lines)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise RulesError(
            [
                f"{source}: the rules file must be a mapping of sections. Fix: start from "
                f"the example, {DEFAULT_RULES_FILE}."
            ]
        )
    try:
        rules = Rules.model_validate(data)
    except ValidationError as error:
        problems += [locator.problem(e["loc"], _explain_error(e)) for e in error.errors()]
    else:
        rules._locator = locator
        problems += [locator.problem(loc, message) for loc, message in _cross_checks(rules)]
    if problems:
        raise RulesError(problems)
    return rules


def _index(node: yaml.Node | None, loc: Loc, lines: dict[Loc, int]) -> Iterator[tuple[int, str]]:
    """Record the line of every key and item; yield (line, problem) for duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            if (*loc, key) in lines:
                yield (
                    key_node.start_mark.line + 1,
                    f"{dotted((*loc, key))}: duplicate key (the first one, line "
                    f"{lines[(*loc, key)]}, would be silently ignored). Fix: keep one of them.",
                )
                continue
            lines[(*loc, key)] = key_node.start_mark.line + 1
            yield from _index(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            yield from _index(item, (*loc, index), lines)
        if len(node.value) == 0:
            lines[loc] = node.start_mark.line + 1


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model that validates the mapping at `loc`, following the schema's annotations."""
    annotation: Any = Rules
    for part in loc:
        annotation = _unwrap(annotation, part)
        if annotation is None:
            return None
    annotation = _unwrap(annotation, None)
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _unwrap(annotation: Any, part: str | int | None) -> Any:
    """Strip Annotated/Optional; then step into a model field, a sequence item or a dict value."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, type(int | None)):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            break
    if part is None:
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field else None
    if origin is tuple:
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    return None


_FIX_BY_TYPE = {
    "missing": "add it",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "float_parsing": "write a number",
    "float_type": "write a number",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "string_type": "write a text value (quote it)",
    "dict_type": "write a mapping (key: value lines)",
    "model_type": "write a mapping (key: value lines)",
    "tuple_type": "write a list",
    "too_short": "give at least one entry",
    "greater_than_equal": "use a number in range",
    "less_than_equal": "use a number in range",
}


def _explain_error(error: Mapping[str, Any]) -> str:
    kind, loc, value = error["type"], error["loc"], error.get("input")
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key {loc[-1]!r}. Fix: {hint}remove it or use one of: {', '.join(known)}."
    if kind == "literal_error":
        return f"{value!r} is not allowed. Fix: use one of {error['ctx']['expected']}."
    if kind == "value_error":
        return f"{error['ctx']['error']}."
    if kind == "missing":
        return f"required {loc[-1]!r} is missing. Fix: add `{loc[-1]}:` here."
    fix = _FIX_BY_TYPE.get(kind, "correct the value")
    return f"{error['msg']} (got {value!r}). Fix: {fix}."


def _cross_checks(rules: Rules) -> Iterator[tuple[Loc, str]]:
    """Problems no single key shows: sums, duplicates, and names that must agree."""
    for loc, section in _rule_lists(rules):
        seen: set[str] = set()
        for index, rule in enumerate(section):
            if rule.name in seen:
                yield (
                    (*loc, index, "name"),
                    f"rule name {rule.name!r} is used twice. Fix: give each rule its own name.",
                )
            seen.add(rule.name)
    for loc, condition in conditions(rules):
        if condition.children_issue_type_share and loc[0] in ("teams", "missions"):
            yield (
                (*loc, "children_issue_type_share"),
                "children_issue_type_share only applies to rules decided per project. Fix: use "
                "it in risk_tier.rules or success_curve.rules, or remove it here.",
            )
    precedence = rules.risk_tier.precedence
    if len(set(precedence)) != len(precedence):
        yield (
            ("risk_tier", "precedence"),
            f"{list(precedence)} repeats a source. Fix: list each of "
            f"{', '.join(TIER_SOURCES)} at most once.",
        )
    shares = [(("tier_targets", "default"), rules.tier_targets.default)]
    shares += [(("tier_targets", "teams", t), s) for t, s in rules.tier_targets.teams.items()]
    for loc, target in shares:
        total = target.sure_thing + target.linear_bet + target.moonshot
        if abs(total - 1) > 1e-9:
            yield (
                loc,
                f"shares sum to {total:g}, not 1. Fix: adjust sure_thing, linear_bet and moonshot "
                "so that they sum to 1 (e.g. 0.6, 0.3, 0.1).",
            )
    declared = set(rules.teams.declared)
    if declared:
        named = [(("teams", "rules", i, "team"), r.team) for i, r in enumerate(rules.teams.rules)]
        named += [(("tier_targets", "teams", team), team) for team in rules.tier_targets.teams]
        for loc, team in named:
            if team not in declared:
                yield (
                    loc,
                    f"team {team!r} is not in teams.declared. Fix: add it to teams.declared or "
                    f"use one of {', '.join(sorted(declared))}.",
                )
    names: set[str] = set()
    for index, mission in enumerate(rules.missions):
        if mission.name in names:
            yield (
                ("missions", index, "name"),
                f"mission {mission.name!r} is declared twice. Fix: merge them.",
            )
        names.add(mission.name)
        if not (mission.initiatives or mission.labels or mission.rules):
            yield (
                ("missions", index),
                f"mission {mission.name!r} recognises no project. Fix: give it initiatives, "
                "labels or rules.",
            )


def _rule_lists(rules: Rules) -> Iterator[tuple[Loc, tuple]]:
    yield ("teams", "rules"), rules.teams.rules
    yield ("risk_tier", "rules"), rules.risk_tier.rules
    yield ("success_curve", "rules"), rules.success_curve.rules
    for index, mission in enumerate(rules.missions):
        yield ("missions", index, "rules"), mission.rules


# ---------------------------------------------------------------------------------------------
# Fields: rules name them; the catalogue says which instance-specific id each name has
# ---------------------------------------------------------------------------------------------


def conditions(rules: Rules) -> Iterator[tuple[Loc, Condition]]:
    """Every condition in the file, with where it is."""
    for loc, section in _rule_lists(rules):
        for index, rule in enumerate(section):
            for number, condition in enumerate(rule.when):
                yield (*loc, index, "when", number), condition


def field_references(rules: Rules) -> dict[str, Loc]:
    """Every field the rules read, by the name written in the file, with its first key."""
    refs: dict[str, Loc] = {}
    if rules.risk_tier.field:
        refs.setdefault(rules.risk_tier.field.name, ("risk_tier", "field", "name"))
    if rules.success_curve.field:
        refs.setdefault(rules.success_curve.field.name, ("success_curve", "field", "name"))
    if rules.impact.field:
        refs.setdefault(rules.impact.field, ("impact", "field"))
    for loc, condition in conditions(rules):
        for name in condition.fields:
            refs.setdefault(name, (*loc, "fields", name))
        if condition.board:
            refs.setdefault(rules.sprint_field, (*loc, "board"))
    return refs


AMBIGUOUS = "|"  # separates the ids of a field name that several fields share


def field_ids_from_catalogue(catalogue: list[Mapping[str, Any]]) -> dict[str, str]:
    """Name -> id for the catalogue (`GET /field`); ids map to themselves, to allow writing ids.

    A name that several fields share maps to their ids joined by `AMBIGUOUS`, so that naming it in
    the rules is an error that lists the ids to choose from.
    """
    by_name: dict[str, list[str]] = {}
    for field in catalogue:
        if isinstance(field.get("id"), str) and field.get("name"):
            by_name.setdefault(str(field["name"]), []).append(field["id"])
    mapping = {name: AMBIGUOUS.join(sorted(ids)) for name, ids in by_name.items()}
    mapping.update({fid: fid for ids in by_name.values() for fid in ids})
    return mapping


def resolve_field_ids(rules: Rules, field_ids: Mapping[str, str]) -> dict[str, str]:
    """Each referenced field name -> its id; a name missing from the catalogue is a RulesError."""
    resolved, problems = {}, []
    names = [name for name in field_ids if not name.startswith("customfield_")]
    for name, loc in field_references(rules).items():
        field_id = field_ids.get(name)
        if field_id and AMBIGUOUS not in field_id:
            resolved[name] = field_id
            continue
        if field_id:
            ids = field_id.replace(AMBIGUOUS, ", ")
            message = (
                f"field {name!r} is the name of several fields ({ids}). Fix: write the id of the "
                "one you mean instead of the name."
            )
        else:
            close = difflib.get_close_matches(name, names, n=3)
            hint = f"close matches: {', '.join(map(repr, close))}; " if close else ""
            message = (
                f"field {name!r} is not in the site's field catalogue. Fix: {hint}use a field "
                "name exactly as Jira shows it (or its customfield_ id)."
            )
        problems.append(rules.problem(loc, message))
    if problems:
        raise RulesError(problems)
    return resolved
