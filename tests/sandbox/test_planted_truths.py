"""The planted truths hold in the generated issues and changelogs, read as the portfolio-metrics
spec (../shared/spec/portfolio-metrics.md) reads them, for any as_of.

Effort follows section 4 simply: per person and working day, the day's worklogs if any (hours / 8,
the day capped at 1.0), else the day split equally across the issues assigned to the person that
are active during it, an issue no longer credited 30 days after its last change. Active is either
the spec's default flow mapping (status category "In Progress") or the warehouse's, whose
dbt_project/seeds/flow_state_overrides.csv makes "In Review" and "Blocked" waiting states. An
issue's tier is the one planted on its epic; unplanned bugs are sure things (the default rules
file's `unplanned-fixes` rule).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
from collections import defaultdict

import pytest

from ingest.classify import classify_issues
from ingest.fields import discover_fields
from ingest.normalize import ISSUE_SCHEMA, frame, issue_row
from ingest.rules import ImpactRules, field_ids_from_catalogue, load_rules
from ingest.sandbox import generate_org

_SCORES = {"sure_thing": 0.0, "linear_bet": 0.5, "moonshot": 1.0}
_POSTURE_BAND = 0.08
_IDLE_DAYS = 30
_GAP_DAYS = 28
_RULES = load_rules()  # config/classification.yaml: tier targets, p_success, missions
_IMPACT_FIELD = "Business Value"  # the demo's impact field (the rules file's `impact.field`)


def _instant(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(dt.UTC)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _quarter(day: dt.date, offset: int = 0) -> dt.date:
    """The first day of ``day``'s quarter, moved by ``offset`` quarters."""
    index = day.year * 4 + (day.month - 1) // 3 + offset
    return dt.date(index // 4, index % 4 * 3 + 1, 1)


@dataclasses.dataclass
class _Reading:
    """The organisation read back: each issue's project, performing team and tier, and effort."""

    truth: object
    fields: dict[str, dict]  # issue key -> fields
    project: dict[str, str | None]  # issue key -> its epic (itself for an epic); None: unplanned
    team: dict[str, str]
    tier: dict[str, str]
    effort: list[tuple[dt.date, str, float]]  # (working day, issue key, person-days)
    first_active: dict[str, dt.datetime]  # issue key -> its first move into an active status

    def children(self, epic: str) -> list[str]:
        return [key for key, project in self.project.items() if project == epic and key != epic]

    def status(self, key: str) -> tuple[str, str]:
        status = self.fields[key]["status"]
        return status["name"], status["statusCategory"]["key"]

    def staleness_days(self, epic: str) -> float:
        """Days since the last change on the project or any child (its `updated`)."""
        last = max(_instant(self.fields[key]["updated"]) for key in [epic, *self.children(epic)])
        return (self.truth.now - last).total_seconds() / 86400

    def shares(self, team: str, quarter: dt.date) -> dict[str, float]:
        """Each tier's share of the team's classified effort in the quarter ({} without any)."""
        days = dict.fromkeys(_SCORES, 0.0)
        for day, key, person_days in self.effort:
            if self.team[key] == team and _quarter(day) == quarter and self.tier[key] in days:
                days[self.tier[key]] += person_days
        total = sum(days.values())
        return {tier: value / total for tier, value in days.items()} if total else {}


def _read(org, active: set[str]) -> _Reading:
    truth = org.truth
    team_of_project = {team.project_key: name for name, team in truth.teams.items()}
    team_field = truth.custom_field_ids["Team"]
    fields = {issue["key"]: issue["fields"] for issue in org.issues}
    parent = {key: (f.get("parent") or {}).get("key") for key, f in fields.items()}
    reading = _Reading(truth, fields, {}, {}, {}, [], {})
    candidates = defaultdict(set)  # (account, day) -> issues active, assigned and not idle
    logged = defaultdict(lambda: defaultdict(float))  # (account, day) -> issue -> hours
    for issue in org.issues:
        key, issue_fields = issue["key"], issue["fields"]
        if issue_fields["project"]["key"] not in team_of_project:
            continue  # initiatives: the program's, no team's work
        epic = key
        while epic and epic not in truth.epics:
            epic = parent[epic]
        reading.project[key] = epic
        if epic:
            planted = truth.epics[epic]
            reading.tier[key] = planted.tier if planted.marked_by != "none" else "unclassified"
        else:
            bug = issue_fields["issuetype"]["name"] == "Bug"
            reading.tier[key] = "sure_thing" if bug else "unclassified"
        named = (issue_fields[team_field] or {}).get("name")
        reading.team[key] = named or team_of_project[issue_fields["project"]["key"]]
        worklogs = org.worklogs.get(issue["id"], [])
        for worklog in worklogs:
            day = _instant(worklog["started"]).date()
            logged[worklog["author"]["accountId"], day][key] += worklog["timeSpentSeconds"] / 3600
        changes = [
            (_instant(h["created"]), item)
            for h in org.changelogs[issue["id"]]
            for item in h["items"]
        ]
        started = [at for at, i in changes if i["field"] == "status" and i["toString"] in active]
        if started:
            reading.first_active[key] = started[0]
        activity = sorted(
            [_instant(issue_fields["created"]), *(at for at, _ in changes)]
            + [_instant(w["created"]) for w in worklogs]
        )
        for account, since, until in _active_assigned(issue_fields, changes, active, truth.now):
            day = since.date()
            while _midnight(day) < until:
                end_of_day = _midnight(day + dt.timedelta(days=1))
                latest = activity[bisect.bisect_left(activity, end_of_day) - 1]
                if day.weekday() < 5 and (day - latest.date()).days <= _IDLE_DAYS:
                    candidates[account, day].add(key)
                day += dt.timedelta(days=1)
    for (_, day), hours in logged.items():
        scale = min(1.0, 8 / sum(hours.values()))
        reading.effort += [(day, key, h / 8 * scale) for key, h in hours.items()]
    for (account, day), keys in candidates.items():
        if (account, day) not in logged:
            reading.effort += [(day, key, 1 / len(keys)) for key in keys]
    return reading


def _active_assigned(fields: dict, changes: list, active: set[str], now: dt.datetime):
    """(account, from, to) of each stretch in an active status with an assignee."""
    first = {}
    for _, item in changes:
        first.setdefault(item["field"], item)
    status = first["status"]["fromString"] if "status" in first else fields["status"]["name"]
    assignee = (
        first["assignee"]["from"]
        if "assignee" in first
        else (fields["assignee"] or {}).get("accountId")
    )
    since = _instant(fields["created"])
    for at, item in [*changes, (now, {"field": None})]:
        if at > since and status in active and assignee:
            yield assignee, since, at
        since = at
        if item["field"] == "status":
            status = item["toString"]
        elif item["field"] == "assignee":
            assignee = item["to"]


_BY_CATEGORY = {"In Progress", "In Review", "Blocked"}
_BY_SEED = {"In Progress"}


@pytest.fixture(
    scope="module",
    params=[
        (None, _BY_CATEGORY),
        (None, _BY_SEED),
        (dt.date(2027, 1, 4), _BY_SEED),
        (dt.date(2026, 8, 19), _BY_CATEGORY),
    ],
    ids=[
        "default-as-of",
        "default-as-of-warehouse-flow-states",
        "first-days-of-a-quarter",
        "mid-quarter",
    ],
)
def reading(request, org) -> _Reading:
    as_of, active = request.param
    return _read(org if as_of is None else generate_org(seed=7, as_of=as_of), active)


def _posture(shares: dict[str, float], team: str) -> str:
    targets = _RULES.targets_for(team).model_dump()
    index = sum(_SCORES[tier] * share for tier, share in shares.items())
    target = sum(_SCORES[tier] * share for tier, share in targets.items())
    if index < target - _POSTURE_BAND:
        return "risk_averse"
    return "too_bold" if index > target + _POSTURE_BAND else "balanced"


def _assert_open_not_blocked_not_overdue(reading: _Reading, epic: str) -> None:
    """Neither done, blocked nor unknown (section 6 delivery status), and not overdue."""
    flagged = reading.truth.custom_field_ids["Flagged"]
    children = reading.children(epic)
    assert reading.status(epic)[1] != "done"
    assert children and any(reading.status(key)[1] != "done" for key in children)
    assert all(reading.fields[key][flagged] is None for key in [epic, *children])
    assert all(reading.status(key)[0] != "Blocked" for key in children)
    assert dt.date.fromisoformat(reading.fields[epic]["duedate"]) > reading.truth.as_of


def test_one_team_is_chronically_risk_averse_one_too_bold_and_one_balanced(reading):
    truth, planted = reading.truth, reading.truth.planted
    expected = {
        planted.risk_averse_team: "risk_averse",
        planted.too_bold_team: "too_bold",
        planted.balanced_team: "balanced",
    }
    assert sorted(expected.values()) == ["balanced", "risk_averse", "too_bold"]
    # The last three quarters: complete ones, and with as_of's own once it has effort.
    quarters = [_quarter(truth.as_of, offset) for offset in (-3, -2, -1, 0)]
    for team in truth.teams:
        shares = [reading.shares(team, quarter) for quarter in quarters]
        postures = [_posture(s, team) if s else None for s in shares]
        windows = [postures[:3]] + ([postures[1:]] if shares[-1] else [])
        for window in windows:
            if team in expected:
                assert window.count(expected[team]) >= 2, (team, postures)
            else:  # not chronic either way
                assert max(window.count("risk_averse"), window.count("too_bold")) < 2, (
                    team,
                    postures,
                )


def test_scope_growth_above_30_percent_and_a_week_stale_put_a_project_at_risk(reading):
    truth, epic = reading.truth, reading.truth.planted.scope_growth_at_risk_epic
    children = reading.children(epic)
    first_start = min(
        reading.first_active[key] for key in [epic, *children] if key in reading.first_active
    )
    at_start = [key for key in children if _instant(reading.fields[key]["created"]) <= first_start]
    assert (len(children) - len(at_start)) / len(at_start) > 0.30
    assert 4 < reading.staleness_days(epic) < 14  # the second at_risk condition
    _assert_open_not_blocked_not_overdue(reading, epic)
    assert truth.epics[epic].outcome == "open"


def test_a_project_without_change_for_over_14_days_is_off_track(reading):
    epic = reading.truth.planted.stale_epic
    assert reading.staleness_days(epic) > 14
    _assert_open_not_blocked_not_overdue(reading, epic)


def test_a_flagged_project_with_a_blocked_story_is_blocked(reading):
    epic, flagged = reading.truth.planted.blocked_epic, reading.truth.custom_field_ids["Flagged"]
    assert [option["value"] for option in reading.fields[epic][flagged]] == ["Impediment"]
    assert ("Blocked", "indeterminate") in [reading.status(key) for key in reading.children(epic)]
    assert reading.status(epic)[1] != "done"


def test_a_failed_moonshot_is_followed_by_a_quarter_with_more_sure_things(reading):
    truth, planted = reading.truth, reading.truth.planted
    epic = planted.failed_moonshot_epic
    assert (truth.epics[epic].tier, truth.epics[epic].outcome) == ("moonshot", "cancelled")
    assert truth.epics[epic].team == planted.failed_moonshot_team
    assert reading.status(epic) == ("Won't Do", "done")
    assert reading.fields[epic]["resolution"]["name"] == "Won't Do"
    assert _quarter(_instant(reading.fields[epic]["resolutiondate"]).date()) == (
        planted.failed_moonshot_quarter
    )
    assert planted.rebalancing_quarter == _quarter(planted.failed_moonshot_quarter, 1)
    spent = sum(days for _, key, days in reading.effort if reading.project[key] == epic)
    assert spent > 5  # cancelled effort: the waste
    team = planted.failed_moonshot_team
    before = reading.shares(team, planted.failed_moonshot_quarter)["sure_thing"]
    after = reading.shares(team, planted.rebalancing_quarter)["sure_thing"]
    assert after > before + 0.1


def test_a_mission_project_without_effort_for_28_days_is_a_gap(reading):
    truth, planted = reading.truth, reading.truth.planted
    epic = planted.gap_mission_epic
    assert reading.fields[epic]["parent"]["key"] == planted.gap_mission_initiative
    assert truth.epics[epic].initiative == planted.gap_mission_initiative
    mission = next(m for m in _RULES.missions if m.name == planted.gap_mission)
    summary = reading.fields[planted.gap_mission_initiative]["summary"]
    assert any(re.search(rule.when[0].summary_matches, summary) for rule in mission.rules)
    _assert_open_not_blocked_not_overdue(reading, epic)
    recent = truth.as_of - dt.timedelta(days=_GAP_DAYS)
    on_it = [(day, days) for day, key, days in reading.effort if reading.project[key] == epic]
    assert on_it and all(day <= recent for day, _ in on_it)


def test_two_in_flight_projects_hold_most_of_the_expected_impact(reading):
    truth, core = reading.truth, reading.truth.planted.impact_core_epics
    value_field = truth.custom_field_ids[_IMPACT_FIELD]
    assert all(
        reading.fields[key][value_field] is None
        for key in reading.fields
        if reading.fields[key]["issuetype"]["name"] != "Epic"
    )
    p_success = _RULES.p_success.model_dump()
    expected = {}  # section 6: impact (the field, else the default) x p_success of the tier
    for key, epic in truth.epics.items():
        impact = reading.fields[key][value_field] or _RULES.impact.default
        expected[key] = (
            impact * p_success[epic.tier if epic.marked_by != "none" else "unclassified"]
        )
    open_ones = {key: ei for key, ei in expected.items() if truth.epics[key].outcome == "open"}
    for projects in (expected, open_ones):  # whichever projects a warehouse counts
        ranked = sorted(projects, key=projects.get, reverse=True)
        held, smallest = 0.0, []
        while held < 0.5 * sum(projects.values()):
            smallest.append(ranked[len(smallest)])
            held += projects[smallest[-1]]
        assert set(smallest) == core
    assert len({truth.epics[key].team for key in core}) == 2
    assert all(reading.status(key) == ("In Progress", "indeterminate") for key in core)


def test_the_classifier_finds_the_planted_mission_and_impact(org):
    planted = org.truth.planted
    rules = _RULES.model_copy(update={"impact": ImpactRules(field=_IMPACT_FIELD)})
    issues = frame([issue_row(i, discover_fields(org.fields)) for i in org.issues], ISSUE_SCHEMA)
    result = classify_issues(issues, rules, field_ids_from_catalogue(org.fields))
    projects = {row["project_id"]: row for row in result.projects.iter_rows(named=True)}
    assert projects[planted.gap_mission_epic]["mission"] == planted.gap_mission
    value_field = org.truth.custom_field_ids[_IMPACT_FIELD]
    values = {issue["key"]: issue["fields"][value_field] for issue in org.issues}
    for key in planted.impact_core_epics:
        assert (projects[key]["impact"], projects[key]["impact_reason"]) == (
            values[key],
            f"field:{_IMPACT_FIELD}",
        )
