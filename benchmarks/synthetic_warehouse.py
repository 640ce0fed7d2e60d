"""A synthetic Jira site of any size, landed exactly as the pipeline lands one (BatchWriter).

Shapes, per 1,000,000 issues: 50 teams, each with its own Jira project (team sizes vary), plus a
STRAT project of initiatives (0.2 %); epics 4 % (half under an initiative), stories, tasks, bugs
and spikes 82 % (88 % under an epic, mostly of their own team), sub-tasks 14 %. Issues are created
over the five quarters that end on the as-of date and live through To Do / Backlog, In Progress,
In Review, QA and Blocked to Done or Won't Do (some reopened); ~10 changelog items per issue:
status (with resolution), assignee, Sprint (scrum teams, with carry-over), due date (slipping on
epics), Flagged, story points and rank, encoded as ingest/normalize.py lands Jira Cloud's items.
Most epics carry a "Business Value". A third of the teams log work; some issues block or relate
to others. Nothing happens after the as-of date. The raw JSON column holds only the custom field
the default rules read (Business Value): dbt never reads it; a real issue's is ~4 KB.

The nightly batch is the next day's incremental extraction: `changed_share` of the issues change
during the day after the as-of date (status moves, resolutions, reopenings, assignments, sprint
adds, worklogs; 5 % of them are new issues), each landed with its complete changelog, worklogs and
links as the extractor lands every issue it sees.

Everything is drawn with NumPy and assembled with Polars expressions: no Python loop per row.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from ingest.extract import PART_ISSUES
from ingest.landing import BatchWriter
from ingest.normalize import (
    BOARD_SCHEMA,
    CHANGELOG_SCHEMA,
    DELETION_SCHEMA,
    FIELD_SCHEMA,
    ISSUE_LINK_SCHEMA,
    ISSUE_SCHEMA,
    SPRINT_SCHEMA,
    STATUS_SCHEMA,
    USER_SCHEMA,
    WORKLOG_SCHEMA,
)

SECOND = 1_000_000  # timestamps are int64 microseconds since the epoch, UTC
HOUR = 3600 * SECOND
DAY = 24 * HOUR
SPRINT_DAYS = 14
ID_BASE = 10_000  # issue ids are the site's running numbers, as in Jira

_TEAM_LIST = (
    "PAY Payments|SRCH Search|PLAT Platform|MOB Mobile|DATA Data Insights|GROW Growth|"
    "IDN Identity|BILL Billing|CHK Checkout|FRD Fraud|LEDG Ledger|ONB Onboarding|"
    "NOTI Notifications|MSG Messaging|CAT Catalog|PRC Pricing|INV Inventory|LOG Logistics|"
    "FUL Fulfilment|RET Returns|SUP Support Tools|CRM CRM|MKT Marketing Tech|ADS Ads|"
    "REC Recommendations|RANK Ranking|PERS Personalisation|EXP Experimentation|ANA Analytics|"
    "MLP ML Platform|INFRA Infrastructure|NET Networking|STOR Storage|CMP Compute|"
    "SEC Security|CMPL Compliance|PRIV Privacy|DX Developer Experience|CICD Build and Release|"
    "OBS Observability|SRE Site Reliability|WEB Web|IOS iOS|AND Android|DSGN Design System|"
    "L10N Localisation|A11Y Accessibility|PAPI Partner API|INTG Integrations|DOCS Documentation"
)
TEAMS = tuple(tuple(pair.split(" ", 1)) for pair in _TEAM_LIST.split("|"))
PROGRAMME = ("STRAT", "Strategy & Programs")  # the initiatives' project, owned by no team

# The site's statuses; the codes below index this catalogue. The last two are used by no issue.
STATUSES = (
    ("10000", "To Do", "new"),
    ("10001", "Backlog", "new"),
    ("3", "In Progress", "indeterminate"),
    ("10002", "In Review", "indeterminate"),
    ("10003", "Blocked", "indeterminate"),
    ("10006", "QA", "indeterminate"),
    ("10004", "Done", "done"),
    ("10005", "Won't Do", "done"),
    ("10007", "Selected for Development", "new"),
    ("6", "Closed", "done"),
)
TODO, BACKLOG, IN_PROGRESS, IN_REVIEW, BLOCKED, QA, DONE, WONT_DO = range(8)
# Where work goes from each working state (from -> {to: probability}).
NEXT_STATUS = {
    TODO: {IN_PROGRESS: 1.0},
    BACKLOG: {IN_PROGRESS: 1.0},
    IN_PROGRESS: {IN_REVIEW: 0.55, QA: 0.15, BLOCKED: 0.15, TODO: 0.15},
    IN_REVIEW: {IN_PROGRESS: 0.45, QA: 0.40, BLOCKED: 0.15},
    BLOCKED: {IN_PROGRESS: 0.75, IN_REVIEW: 0.15, TODO: 0.10},
    QA: {IN_PROGRESS: 0.50, IN_REVIEW: 0.30, BLOCKED: 0.20},
}
RESOLUTIONS = (None, ("10000", "Done"), ("10001", "Won't Do"))

INITIATIVE, EPIC, STORY, TASK, BUG, SPIKE, SUBTASK = range(7)
ISSUE_TYPES = ("Initiative", "Epic", "Story", "Task", "Bug", "Spike", "Sub-task")
LEVELS = (2, 1, 0, 0, 0, 0, -1)
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
LABELS = ("tier:sure", "tier:linear", "tier:moonshot", "experiment", "maintenance", "self-serve")
LABELS += ("tech-debt", "support", "security")
EPIC_LABELS = {0: 0.16, 1: 0.12, 2: 0.06, 3: 0.04, 4: 0.04, 5: 0.02}  # label code -> share
ISSUE_LABELS = {6: 0.05, 7: 0.04, 8: 0.03}
COMPONENTS = ("API", "UI", "Backend")
# The missions of config/classification.yaml recognise these initiatives.
MISSION_INITIATIVES = ("Project Aurora rollout", "Self-serve analytics for every team")

# Changelog item kinds, with (field, field id, field type) as Jira Cloud sends them.
STATUS, RESOLUTION, ASSIGNEE, SPRINT, DUE_DATE, FLAGGED, STORY_POINTS, RANK = range(8)
ITEM_FIELDS = (
    ("status", "status", "jira"),
    ("resolution", "resolution", "jira"),
    ("assignee", "assignee", "jira"),
    ("Sprint", "customfield_10020", "custom"),
    ("duedate", "duedate", "jira"),
    ("Flagged", "customfield_10021", "custom"),
    ("Story point estimate", "customfield_10016", "custom"),
    ("Rank", "customfield_10019", "custom"),
)
# A number on most epics, as in the demo site; config/classification.yaml reads it as the impact.
BUSINESS_VALUE = "customfield_10030"
BUSINESS_VALUES = {1: 0.15, 2: 0.15, 3: 0.12, 5: 0.1, 8: 0.05, 13: 0.02, 40: 0.01}
FIELD_CATALOGUE = (
    ("issuekey", "Key", None, None),
    ("summary", "Summary", None, "string"),
    ("issuetype", "Issue Type", None, "issuetype"),
    ("status", "Status", None, "status"),
    ("project", "Project", None, "project"),
    ("priority", "Priority", None, "priority"),
    ("labels", "Labels", None, "array"),
    ("components", "Components", None, "array"),
    ("assignee", "Assignee", None, "user"),
    ("reporter", "Reporter", None, "user"),
    ("created", "Created", None, "datetime"),
    ("updated", "Updated", None, "datetime"),
    ("resolutiondate", "Resolved", None, "datetime"),
    ("resolution", "Resolution", None, "resolution"),
    ("duedate", "Due date", None, "date"),
    ("parent", "Parent", None, None),
    ("issuelinks", "Linked Issues", None, "array"),
    ("worklog", "Log Work", None, "array"),
    ("customfield_10001", "Team", "com.atlassian.teams:rm-teams-custom-field-team", "team"),
    ("customfield_10014", "Epic Link", "com.pyxis.greenhopper.jira:gh-epic-link", "any"),
    (
        "customfield_10016",
        "Story point estimate",
        "com.pyxis.greenhopper.jira:jsw-story-points",
        "number",
    ),
    ("customfield_10019", "Rank", "com.pyxis.greenhopper.jira:gh-lexo-rank", "any"),
    (
        BUSINESS_VALUE,
        "Business Value",
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
        "number",
    ),
    ("customfield_10020", "Sprint", "com.pyxis.greenhopper.jira:gh-sprint", "array"),
    (
        "customfield_10021",
        "Flagged",
        "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        "array",
    ),
)
FIRST_NAMES = ("Ada", "Ben", "Chen", "Dana", "Emil", "Fatima", "Greta", "Hugo", "Ines", "Jonas")
FIRST_NAMES += ("Kemal", "Lena", "Marco", "Nia", "Omar", "Priya", "Quinn", "Ravi", "Sofia", "Theo")
LAST_NAMES = ("Alvarez", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad")
LAST_NAMES += ("Ito", "Jensen", "Kaya", "Larsen", "Moreau", "Nguyen", "Okafor", "Petrov")


@dataclass(frozen=True)
class Shape:
    """What to generate: `issues` sets the scale; the rest are realistic defaults."""

    issues: int
    as_of: date = date(2026, 11, 18)
    teams: int = 50
    changed_share: float = 0.01
    seed: int = 20261118

    @property
    def nightly_as_of(self) -> date:
        return self.as_of + timedelta(days=1)

    @property
    def cutoff(self) -> int:
        """The end of the as-of day: the base landing holds everything before it."""
        return _micros(self.nightly_as_of)

    @property
    def period_start(self) -> int:
        """The first day of the five quarters that end with the as-of date's quarter."""
        quarter = (self.as_of.year * 4 + (self.as_of.month - 1) // 3) - 4
        return _micros(date(quarter // 4, quarter % 4 * 3 + 1, 1))

    @property
    def changed(self) -> int:
        return max(1, round(self.issues * self.changed_share))


@dataclass(frozen=True)
class Landings:
    """A cached synthetic site: the full landing and the next night's batch, each a landing dir."""

    shape: Shape
    base: Path
    nightly: Path

    @property
    def base_batches(self) -> list[Path]:
        return sorted((self.base / "batches").iterdir())

    @property
    def nightly_batches(self) -> list[Path]:
        return sorted((self.nightly / "batches").iterdir())


def _micros(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp()) * SECOND


def _lognormal(rng: np.random.Generator, median_days: float, sigma: float, n: int) -> np.ndarray:
    return (rng.lognormal(np.log(median_days), sigma, n) * DAY).astype(np.int64)


def _within(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A uniform moment in [start, end) per row (start where the span is empty)."""
    return start + (rng.random(len(start)) * np.maximum(end - start, 0)).astype(np.int64)


def _sorted_within(rng: np.random.Generator, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`counts[i]` sorted uniforms per row i: (row of each draw, its value in [0, 1))."""
    rows = np.repeat(np.arange(len(counts)), counts)
    keys = np.sort(rows + rng.random(len(rows)) * 0.999)
    return rows, keys - rows


def _choice(rng: np.random.Generator, shares: dict[int, float], n: int) -> np.ndarray:
    """A code drawn with the given shares per row, -1 for the rest."""
    codes = np.array([*shares, -1])
    return rng.choice(codes, n, p=[*shares.values(), 1 - sum(shares.values())])


def _cumulative_transitions() -> np.ndarray:
    table = np.zeros((len(NEXT_STATUS), len(NEXT_STATUS)))
    for source, targets in NEXT_STATUS.items():
        for target, share in targets.items():
            table[source, target] = share
    return table.cumsum(axis=1)


_TRANSITIONS = _cumulative_transitions()


def _step(rng: np.random.Generator, current: np.ndarray) -> np.ndarray:
    """The next working status after each of `current` (a Markov step)."""
    drawn = (rng.random(len(current))[:, None] >= _TRANSITIONS[current]).sum(axis=1)
    return drawn.clip(0, len(NEXT_STATUS) - 1)


# ---------------------------------------------------------------------------------------------
# The organisation: teams, people, boards and sprints
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    """Per project (the teams', then PROGRAMME last) and per person, as arrays."""

    keys: tuple[str, ...]
    names: tuple[str, ...]
    weights: np.ndarray  # per team: its share of the work
    scrum: np.ndarray  # per project: has a scrum board with sprints (else kanban or none)
    logs_work: np.ndarray  # per project
    team_ids: tuple[str, ...]  # per team: its Atlassian team id
    people_start: np.ndarray  # per team: its first person's index
    people_count: np.ndarray
    accounts: tuple[str, ...]
    people_names: tuple[str, ...]
    sprint_board: np.ndarray  # per project: rank among the scrum boards (-1: none)
    sprint_zero: int  # when every scrum board's first sprint started
    sprints: int  # sprints per scrum board, up to the one after the nightly as-of date

    @property
    def teams(self) -> int:
        return len(self.weights)

    @property
    def scrum_boards(self) -> int:
        return int(self.scrum.sum())

    def sprint_number(self, moment: np.ndarray) -> np.ndarray:
        return (moment - self.sprint_zero) // (SPRINT_DAYS * DAY)

    def sprint_start(self, number: np.ndarray) -> np.ndarray:
        return self.sprint_zero + number * SPRINT_DAYS * DAY

    def sprint_id(self, project: np.ndarray, number: np.ndarray) -> np.ndarray:
        # Boards create their sprints in step, so ids interleave across boards as in Jira.
        return 1000 + number * self.scrum_boards + self.sprint_board[project]

    def member(self, rng: np.random.Generator, project: np.ndarray) -> np.ndarray:
        """A person of each project's team (anyone for PROGRAMME; 5 % help another team)."""
        team = np.where(
            (project >= self.teams) | (rng.random(len(project)) < 0.05),
            rng.integers(0, self.teams, len(project)),
            project,
        )
        offset = (rng.random(len(project)) * self.people_count[team]).astype(np.int64)
        return self.people_start[team] + offset


def organisation(shape: Shape, rng: np.random.Generator) -> Organisation:
    count = shape.teams
    teams = [TEAMS[i] if i < len(TEAMS) else (f"T{i:03d}", f"Team {i}") for i in range(count)]
    weights = rng.lognormal(0, 0.5, count)
    weights /= weights.sum()
    # About one person per 250 issues of the five quarters: a few issues a week each.
    people = np.maximum(3, np.round(weights * shape.issues / 250)).astype(np.int64)
    scrum = np.append(rng.random(count) < 0.6, False)
    logs_work = np.append(rng.random(count) < 0.3, False)
    scrum[0] = logs_work[0] = True  # every kind exists, even for a handful of teams
    total = int(people.sum())
    high = rng.integers(1 << 30, 1 << 62, total)
    low = rng.integers(0, 1 << 32, total)
    start = datetime.fromtimestamp(shape.period_start // SECOND, UTC)
    zero = shape.period_start - start.weekday() * DAY + 7 * HOUR  # a Monday, 07:00
    return Organisation(
        keys=tuple(key for key, _ in teams) + (PROGRAMME[0],),
        names=tuple(name for _, name in teams) + (PROGRAMME[1],),
        weights=weights,
        scrum=scrum,
        logs_work=logs_work,
        team_ids=tuple(f"{a:016x}{b:016x}" for a, b in zip(high[:count], low[:count], strict=True)),
        people_start=np.cumsum(people) - people,
        people_count=people,
        accounts=tuple(f"{a:016x}{b:08x}" for a, b in zip(high, low, strict=True)),
        people_names=tuple(
            f"{FIRST_NAMES[i % len(FIRST_NAMES)]} "
            f"{LAST_NAMES[i // len(FIRST_NAMES) % len(LAST_NAMES)]}"
            for i in range(total)
        ),
        sprint_board=np.where(scrum, np.cumsum(scrum) - 1, -1),
        sprint_zero=zero,
        sprints=int((shape.cutoff + DAY - zero) // (SPRINT_DAYS * DAY) + 2),
    )


# ---------------------------------------------------------------------------------------------
# Issues and their lives, as numbers
# ---------------------------------------------------------------------------------------------


class Items:
    """Changelog items as numbers. `value_from` / `value_to` are status codes, resolution codes,
    person indexes, sprint ids, days since the epoch, ... (-1: none), `extra` a second sprint
    id. Items of one issue at one moment form one history; `position` orders them within it."""

    COLUMNS = ("issue", "at", "kind", "position", "value_from", "value_to", "extra")

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []

    def add(self, issue, at, kind, value_from, value_to, *, extra=-1, position=0) -> None:
        values = (issue, at, kind, position, value_from, value_to, extra)
        self.parts.append(
            pl.DataFrame(
                {
                    name: np.broadcast_to(np.asarray(value, dtype=np.int64), len(issue))
                    for name, value in zip(self.COLUMNS, values, strict=True)
                }
            )
        )

    def frame(self) -> pl.DataFrame:
        return pl.concat(self.parts)


def _place(wanted: np.ndarray, pool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each wanted project, the index of a random pool member in that project (-1: none)."""
    by_project = np.argsort(pool, kind="stable")
    counts = np.bincount(pool, minlength=int(wanted.max(initial=0)) + 1)
    starts = np.cumsum(counts) - counts
    available = counts[wanted]
    offset = (rng.random(len(wanted)) * available).astype(np.int64)
    index = by_project[np.minimum(starts[wanted] + offset, max(len(pool) - 1, 0))]
    return np.where(available > 0, index, -1)


def draw_issues(shape: Shape, org: Organisation, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every issue's type, project, parent, creation and planned lead time, in id order."""
    n, teams = shape.issues, org.teams
    start, cutoff = shape.period_start, shape.cutoff
    span = cutoff - start
    n_initiative = max(len(MISSION_INITIATIVES), round(n * 0.002))
    n_epic = max(1, round(n * 0.04))
    n_subtask = round(n * 0.14)
    n_leaf = n - n_initiative - n_epic - n_subtask
    if n_leaf < 1:
        raise ValueError(f"{n} issues are too few for a site")

    epic_project = rng.choice(teams, n_epic, p=org.weights)
    epic_created = start + (rng.random(n_epic) * span * 0.97).astype(np.int64)
    epic_lead = _lognormal(rng, 60, 0.6, n_epic)

    leaf_project = rng.choice(teams, n_leaf, p=org.weights)
    # Most work sits under an epic of its own team, created during the epic's life.
    wanted = np.where(rng.random(n_leaf) < 0.92, leaf_project, rng.integers(0, teams, n_leaf))
    epic = np.where(rng.random(n_leaf) < 0.88, _place(wanted, epic_project, rng), -1)
    safe = epic.clip(0)
    epic_end = np.minimum(epic_created[safe] + epic_lead[safe], cutoff - HOUR)
    leaf_created = np.where(
        epic >= 0,
        epic_created[safe]
        + (rng.random(n_leaf) * 0.85 * (epic_end - epic_created[safe])).astype(np.int64),
        start + (rng.random(n_leaf) * span).astype(np.int64),
    )
    subtask_parent = rng.integers(0, n_leaf, n_subtask)
    room = cutoff - HOUR - leaf_created[subtask_parent]
    subtask_created = leaf_created[subtask_parent] + np.minimum(
        (rng.exponential(2.0, n_subtask) * DAY).astype(np.int64),
        (rng.random(n_subtask) * room).astype(np.int64),
    )

    first_leaf = n_initiative + n_epic
    issue_type = np.concatenate(
        [
            np.full(n_initiative, INITIATIVE),
            np.full(n_epic, EPIC),
            rng.choice([STORY, TASK, BUG, SPIKE], n_leaf, p=[0.5, 0.25, 0.2, 0.05]),
            np.full(n_subtask, SUBTASK),
        ]
    )
    project = np.concatenate(
        [np.full(n_initiative, teams), epic_project, leaf_project, leaf_project[subtask_parent]]
    )
    created = np.concatenate(
        [
            start + (rng.random(n_initiative) * span * 0.5).astype(np.int64),
            epic_created,
            leaf_created,
            subtask_created,
        ]
    )
    parent = np.concatenate(
        [
            np.full(n_initiative, -1),
            np.where(rng.random(n_epic) < 0.5, rng.integers(0, n_initiative, n_epic), -1),
            np.where(epic >= 0, epic + n_initiative, -1),
            subtask_parent + first_leaf,
        ]
    )
    lead = np.concatenate(
        [
            _lognormal(rng, 180, 0.5, n_initiative),
            epic_lead,
            _lognormal(rng, 10, 0.9, n_leaf),
            _lognormal(rng, 3, 0.8, n_subtask),
        ]
    )
    mission = np.full(n, -1)
    mission[: len(MISSION_INITIATIVES)] = np.arange(len(MISSION_INITIATIVES))
    # Ids follow creation, as Jira's running numbers do.
    order = np.argsort(created, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    parent = parent[order]
    return {
        "issue_type": issue_type[order],
        "project": project[order],
        "created": created[order],
        "lead": lead[order],
        "parent": np.where(parent >= 0, rank[parent.clip(0)], -1),
        "mission": mission[order],
    }


def _key_numbers(project: np.ndarray) -> np.ndarray:
    """Each issue's number within its project (1, 2, ... in id order)."""
    order = np.argsort(project, kind="stable")
    counts = np.bincount(project)
    numbers = np.empty(len(project), dtype=np.int64)
    numbers[order] = np.arange(len(project)) - (np.cumsum(counts) - counts)[project[order]] + 1
    return numbers


def _last_of_groups(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(groups with any member, the position of each one's last member) for grouped draws."""
    has = np.flatnonzero(counts > 0)
    return has, (np.cumsum(counts) - 1)[has]


def live(
    shape: Shape, org: Organisation, drawn: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], pl.DataFrame]:
    """Every issue's life up to the cutoff: (its state at the cutoff, its changelog items)."""
    n, cutoff = shape.issues, shape.cutoff
    issue_type, project = drawn["issue_type"], drawn["project"]
    level = np.asarray(LEVELS)[issue_type]
    created, lead = drawn["created"], drawn["lead"]
    first_active = created + (lead * rng.uniform(0.05, 0.5, n)).astype(np.int64)
    done_at = created + lead
    # Some work stalls for good: half of it never starts (the backlog), a third of that is
    # groomed out (Won't Do) months later; the rest sits in progress, ageing.
    never = 10 * 365 * DAY + cutoff
    stalled = rng.random(n) < np.select(
        [level == 2, level == 1, level == 0], [0.2, 0.1, 0.15], 0.08
    )
    unstarted = stalled & (rng.random(n) < 0.6)
    groomed = unstarted & (rng.random(n) < 0.35)
    done_at = np.where(stalled, never, done_at)
    done_at = np.where(
        groomed, created + (rng.exponential(90.0, n) * DAY).astype(np.int64), done_at
    )
    first_active = np.where(unstarted, never, first_active)
    finished = done_at < cutoff
    cancelled = finished & ((rng.random(n) < 0.07) | groomed)
    started = (first_active < cutoff) & ~(cancelled & (rng.random(n) < 0.5))
    work_end = np.where(finished, done_at, cutoff)
    status = np.where(rng.random(n) < 0.25, BACKLOG, TODO)
    every = np.arange(n)
    items = Items()

    # Whoever picks an issue up is assigned in the same history; some issues change hands.
    first_person = org.member(rng, project)
    assignee = np.where(started | (rng.random(n) < 0.2), first_person, -1)
    begun = every[started]
    items.add(begun, first_active[begun], STATUS, status[begun], IN_PROGRESS)
    items.add(begun, first_active[begun], ASSIGNEE, -1, first_person[begun], position=1)
    status[begun] = IN_PROGRESS
    handed = every[started & (rng.random(n) < 0.25)]
    new_person = org.member(rng, project[handed])
    handed_at = _within(rng, first_active[handed], work_end[handed])
    items.add(handed, handed_at, ASSIGNEE, first_person[handed], new_person)
    assignee[handed] = new_person

    # Work moves between the working statuses at sorted moments between its start and end.
    steps = np.where(started, rng.poisson(np.select([level == 0, level == -1], [6.0, 3.0], 1.0)), 0)
    rows, share = _sorted_within(rng, steps)
    offsets = np.cumsum(steps) - steps
    step_from, step_to = np.empty((2, len(rows)), dtype=np.int64)
    for step in range(int(steps.max(initial=0))):
        moving = every[steps > step]
        positions = offsets[moving] + step
        step_from[positions] = status[moving]
        status[moving] = _step(rng, status[moving])
        step_to[positions] = status[moving]
    at = first_active[rows] + (share * (work_end - first_active)[rows]).astype(np.int64)
    items.add(rows, at, STATUS, step_from, step_to)

    # The end, with its resolution; a few issues are reopened and done again.
    ended = every[finished]
    outcome = np.where(cancelled[ended], WONT_DO, DONE)
    items.add(ended, done_at[ended], STATUS, status[ended], outcome)
    items.add(ended, done_at[ended], RESOLUTION, 0, outcome - DONE + 1, position=1)
    status[ended] = outcome
    resolution = np.where(finished, np.where(cancelled, 2, 1), 0)
    resolved = np.where(finished, done_at, -1)
    reopen_at = done_at + (rng.exponential(5.0, n) * DAY).astype(np.int64)
    reopened = every[finished & ~cancelled & (rng.random(n) < 0.03) & (reopen_at < cutoff)]
    items.add(reopened, reopen_at[reopened], STATUS, DONE, IN_PROGRESS)
    items.add(reopened, reopen_at[reopened], RESOLUTION, 1, 0, position=1)
    status[reopened], resolution[reopened], resolved[reopened] = IN_PROGRESS, 0, -1
    redone_at = reopen_at + (rng.exponential(3.0, n) * DAY).astype(np.int64)
    redone = reopened[redone_at[reopened] < cutoff]
    items.add(redone, redone_at[redone], STATUS, IN_PROGRESS, DONE)
    items.add(redone, redone_at[redone], RESOLUTION, 0, 1, position=1)
    status[redone], resolution[redone], resolved[redone] = DONE, 1, redone_at[redone]

    # Scrum teams plan their stories into the sprint they start in; unfinished ones carry over.
    sprint_first, sprint_second = np.full((2, n), -1, dtype=np.int64)
    planned = every[(level == 0) & org.scrum[project] & started & (rng.random(n) < 0.85)]
    number = org.sprint_number(first_active[planned])
    sprint_start = org.sprint_start(number)
    added_at = np.clip(
        sprint_start - (rng.random(len(planned)) * 2 * DAY).astype(np.int64),
        created[planned] + 60 * SECOND,
        first_active[planned],
    )
    sprint_first[planned] = org.sprint_id(project[planned], number)
    items.add(planned, added_at, SPRINT, -1, sprint_first[planned])
    carry_at = sprint_start + SPRINT_DAYS * DAY + 3 * 60 * SECOND  # when the sprint completed
    carry = carry_at < work_end[planned]
    carried = planned[carry]
    sprint_second[carried] = org.sprint_id(project[carried], number[carry] + 1)
    items.add(
        carried,
        carry_at[carry],
        SPRINT,
        sprint_first[carried],
        sprint_first[carried],
        extra=sprint_second[carried],
    )

    # Due dates: most epics and initiatives get one, which slips; a few other issues too.
    due = np.full(n, -1, dtype=np.int64)
    dated = every[rng.random(n) < np.select([level >= 1, level == 0], [0.75, 0.1], 0.0)]
    set_at = _within(rng, created[dated], np.minimum(created[dated] + 2 * DAY, cutoff))
    due[dated] = (created[dated] + lead[dated]) // DAY + rng.integers(-3, 10, len(dated))
    items.add(dated, set_at, DUE_DATE, -1, due[dated])
    slips = np.where(level[dated] >= 1, rng.poisson(0.8, len(dated)), 0)
    rows, share = _sorted_within(rng, slips)
    span = np.maximum(work_end[dated] - set_at, 0)[rows]
    slip_at = set_at[rows] + 1 + (share * span).astype(np.int64)
    later = rng.integers(3, 31, len(rows))
    total = np.cumsum(later)
    before = (total - later)[(np.cumsum(slips) - slips)[rows]]  # slips of earlier issues
    new_due = due[dated][rows] + total - before
    items.add(dated[rows], slip_at, DUE_DATE, new_due - later, new_due)
    has, last = _last_of_groups(slips)
    due[dated[has]] = new_due[last]

    # Flags: raised while work is under way, mostly lowered a few days later.
    flagged = every[started & (rng.random(n) < 0.1)]
    on_at = _within(rng, first_active[flagged], work_end[flagged])
    off_at = on_at + (rng.exponential(3.0, len(flagged)) * DAY).astype(np.int64)
    off_at = np.where(
        finished[flagged], np.minimum(off_at, on_at + (work_end[flagged] - on_at) // 2), off_at
    )
    items.add(flagged, on_at, FLAGGED, 0, 1)
    lowered = off_at < cutoff
    items.add(flagged[lowered], off_at[lowered], FLAGGED, 1, 0)

    points = np.full(n, -1, dtype=np.int64)
    estimated = every[(level == 0) & (rng.random(n) < 0.6)]
    points[estimated] = rng.choice([1, 2, 3, 5, 8, 13], len(estimated))
    estimated_at = _within(rng, created[estimated], np.minimum(created[estimated] + DAY, cutoff))
    items.add(estimated, estimated_at, STORY_POINTS, -1, points[estimated])
    ranked = every[(level == 0) & (rng.random(n) < 0.3)]
    ranked_at = _within(rng, created[ranked], work_end[ranked])
    items.add(ranked, ranked_at, RANK, -1, rng.integers(0, 2, len(ranked)))

    label = np.where(level >= 1, _choice(rng, EPIC_LABELS, n), _choice(rng, ISSUE_LABELS, n))
    value = np.where(level == 1, _choice(rng, BUSINESS_VALUES, n), -1)
    state = {
        "issue": every,
        **drawn,
        "level": level,
        "status": status,
        "resolution": resolution,
        "resolved": resolved,
        "assignee": assignee,
        "reporter": org.member(rng, project),
        "due": due,
        "points": points,
        "sprint_first": sprint_first,
        "sprint_second": sprint_second,
        "label": label,
        "business_value": value,
        "component": rng.integers(0, len(COMPONENTS), n),
        "priority": rng.choice(len(PRIORITIES), n, p=[0.03, 0.17, 0.6, 0.15, 0.05]),
        "team_field": (rng.random(n) < 0.4) & (project < org.teams),
        "key_number": _key_numbers(project),
        "first_active": first_active,
        "work_end": work_end,
    }
    changes = _authored(items.frame(), state)
    state["updated"] = _updated(created, changes)
    return state, _histories(changes, first=ID_BASE)


def _authored(items: pl.DataFrame, state: dict[str, np.ndarray]) -> pl.DataFrame:
    """Items with an author: the issue's assignee, else its reporter."""
    author = np.where(state["assignee"] >= 0, state["assignee"], state["reporter"])
    return items.with_columns(author=pl.lit(pl.Series(author)).gather(pl.col("issue")))


def _updated(created: np.ndarray, items: pl.DataFrame) -> np.ndarray:
    updated = created.copy()
    np.maximum.at(updated, items["issue"].to_numpy(), items["at"].to_numpy())
    return updated


def _histories(items: pl.DataFrame, first: int) -> pl.DataFrame:
    """Number the histories (an issue's items at one moment) in time order from `first`."""
    items = items.sort("at", "issue", "position")
    new = (pl.col("at") != pl.col("at").shift()) | (pl.col("issue") != pl.col("issue").shift())
    row = pl.int_range(pl.len())
    return items.with_columns(
        history=new.fill_null(True).cum_sum() - 1 + first,
        item_index=row - pl.when(new.fill_null(True)).then(row).forward_fill(),
    )


def worklogs(
    shape: Shape, org: Organisation, state: dict[str, np.ndarray], rng: np.random.Generator
) -> pl.DataFrame:
    """A third of the teams log work on the issues they work on, on working days."""
    every = state["issue"]
    logging = every[
        org.logs_work[state["project"]]
        & (state["level"] <= 0)
        & (state["first_active"] < shape.cutoff)
    ]
    counts = rng.poisson(np.where(state["level"][logging] == 0, 2.5, 1.5))
    rows, share = _sorted_within(rng, counts)
    issue = logging[rows]
    start, end = state["first_active"][issue], state["work_end"][issue]
    return _worklog_frame(
        shape, org, state, issue, start + (share * (end - start)).astype(np.int64), rng
    ).filter(pl.col("created") < shape.cutoff)


def _worklog_frame(shape, org, state, issue, moment, rng) -> pl.DataFrame:
    day = moment // DAY
    day -= np.maximum((day + 3) % 7 - 4, 0)  # weekends to Friday (1970-01-01 was a Thursday)
    started = day * DAY + 8 * HOUR + (rng.random(len(issue)) * 8 * HOUR).astype(np.int64)
    spent = rng.choice([900, 1800, 3600, 5400, 7200, 10800, 14400, 21600, 28800], len(issue))
    assignee = state["assignee"][issue]
    author = np.where(assignee >= 0, assignee, org.member(rng, state["project"][issue]))
    return pl.DataFrame(
        {
            "issue": issue,
            "started": started,
            "spent": spent,
            "author": author,
            "created": started + spent * SECOND,
        }
    )


def links(state: dict[str, np.ndarray], rng: np.random.Generator) -> pl.DataFrame:
    """Some stories block another of their team's; a few issues relate to any other."""
    every, project = state["issue"], state["project"]
    leaves = every[state["level"] == 0]
    blocking = leaves[rng.random(len(leaves)) < 0.03]
    blocked = _place(project[blocking], project[leaves], rng)
    blocked = np.where(blocked >= 0, leaves[blocked.clip(0)], -1)
    relating = every[rng.random(len(every)) < 0.02]
    related = rng.integers(0, len(every), len(relating))
    outward = np.concatenate([blocking, relating])
    inward = np.concatenate([blocked, related])
    link_type = np.concatenate([np.zeros(len(blocking)), np.ones(len(relating))]).astype(np.int64)
    keep = (inward >= 0) & (inward != outward)
    outward, inward, link_type = outward[keep], inward[keep], link_type[keep]
    link = np.arange(len(outward)) + ID_BASE
    return pl.DataFrame(
        {
            "link": np.concatenate([link, link]),
            "issue": np.concatenate([outward, inward]),
            "other": np.concatenate([inward, outward]),
            "link_type": np.concatenate([link_type, link_type]),
            "inward": np.repeat([False, True], len(link)),
        }
    )


# ---------------------------------------------------------------------------------------------
# The next day's changes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nightly:
    issues: np.ndarray  # the changed and new issues, in id order
    state: dict[str, np.ndarray]  # every issue's state after the day (new ones appended)
    items: pl.DataFrame  # the day's new changelog items
    worklogs: pl.DataFrame  # the day's new worklogs


def nightly(
    shape: Shape, org: Organisation, base: dict[str, np.ndarray], rng: np.random.Generator
) -> Nightly:
    """A day of work after the cutoff: `shape.changed` issues change, 5 % of them new."""
    state = {name: values.copy() for name, values in base.items()}
    n, day_start = shape.issues, shape.cutoff
    n_new = round(shape.changed * 0.05)
    n_old = shape.changed - n_new
    status, project = state["status"], state["project"]
    open_issues = np.flatnonzero(status < DONE)
    done_issues = np.flatnonzero(status >= DONE)
    n_open = min(round(n_old * 0.8), len(open_issues))
    n_done = min(n_old - n_open, len(done_issues))
    chosen = np.sort(
        np.concatenate(
            [
                rng.choice(open_issues, n_open, replace=False),
                rng.choice(done_issues, n_done, replace=False),
            ]
        )
    )
    at = day_start + 7 * HOUR + (rng.random(len(chosen)) * 12 * HOUR).astype(np.int64)
    items = Items()
    was = status[chosen]

    waiting = chosen[was <= BACKLOG]  # picked up today
    items.add(waiting, at[was <= BACKLOG], STATUS, status[waiting], IN_PROGRESS)
    unassigned = waiting[state["assignee"][waiting] < 0]
    person = org.member(rng, project[unassigned])
    items.add(unassigned, at[np.isin(chosen, unassigned)], ASSIGNEE, -1, person, position=1)
    state["assignee"][unassigned] = person
    status[waiting] = IN_PROGRESS
    plan = waiting[
        (state["level"][waiting] == 0)
        & org.scrum[project[waiting]]
        & (state["sprint_first"][waiting] < 0)
    ]
    sprint = org.sprint_id(project[plan], org.sprint_number(np.full(len(plan), day_start)))
    items.add(plan, at[np.isin(chosen, plan)] - 60 * SECOND, SPRINT, -1, sprint)
    state["sprint_first"][plan] = sprint

    working = (was > BACKLOG) & (was < DONE)
    finishing = working & (rng.random(len(chosen)) < 0.35)
    finished = chosen[finishing]
    items.add(finished, at[finishing], STATUS, status[finished], DONE)
    items.add(finished, at[finishing], RESOLUTION, 0, 1, position=1)
    status[finished], state["resolution"][finished] = DONE, 1
    state["resolved"][finished] = at[finishing]
    moving = working & ~finishing
    moved = chosen[moving]
    next_status = _step(rng, status[moved])
    items.add(moved, at[moving], STATUS, status[moved], next_status)
    status[moved] = next_status

    closed = was >= DONE
    reopening = closed & (rng.random(len(chosen)) < 0.25)
    reopened = chosen[reopening]
    items.add(reopened, at[reopening], STATUS, status[reopened], IN_PROGRESS)
    items.add(reopened, at[reopening], RESOLUTION, state["resolution"][reopened], 0, position=1)
    status[reopened] = IN_PROGRESS
    state["resolution"][reopened], state["resolved"][reopened] = 0, -1
    touched = closed & ~reopening  # re-ranked, nothing else
    items.add(chosen[touched], at[touched], RANK, -1, rng.integers(0, 2, int(touched.sum())))

    # New issues: stories, tasks and bugs filed today, most under one of their team's epics.
    new = np.arange(n, n + n_new)
    new_project = rng.choice(org.teams, n_new, p=org.weights)
    epics = np.flatnonzero(state["issue_type"] == EPIC)
    parent = _place(new_project, project[epics], rng)
    created = day_start + 7 * HOUR + (rng.random(n_new) * 12 * HOUR).astype(np.int64)
    last_number = np.zeros(len(org.keys), dtype=np.int64)
    np.maximum.at(last_number, project, state["key_number"])
    appended = {
        "issue": new,
        "issue_type": rng.choice([STORY, TASK, BUG], n_new, p=[0.5, 0.3, 0.2]),
        "project": new_project,
        "created": created,
        "lead": np.zeros(n_new, dtype=np.int64),
        "parent": np.where(parent >= 0, epics[parent.clip(0)], -1),
        "mission": np.full(n_new, -1),
        "level": np.zeros(n_new, dtype=np.int64),
        "status": np.full(n_new, TODO),
        "resolution": np.zeros(n_new, dtype=np.int64),
        "resolved": np.full(n_new, -1),
        "assignee": np.full(n_new, -1),
        "reporter": org.member(rng, new_project),
        "due": np.full(n_new, -1),
        "points": np.full(n_new, -1),
        "sprint_first": np.full(n_new, -1),
        "sprint_second": np.full(n_new, -1),
        "label": _choice(rng, ISSUE_LABELS, n_new),
        "business_value": np.full(n_new, -1),
        "component": rng.integers(0, len(COMPONENTS), n_new),
        "priority": np.full(n_new, PRIORITIES.index("Medium")),
        "team_field": rng.random(n_new) < 0.4,
        "key_number": last_number[new_project] + _key_numbers(new_project),
        "first_active": np.full(n_new, day_start + DAY),
        "work_end": np.full(n_new, day_start + DAY),
        "updated": created,
    }
    state = {name: np.concatenate([values, appended[name]]) for name, values in state.items()}
    changes = _authored(items.frame(), state)
    state["updated"] = _updated(state["updated"], changes)

    worked = (was <= BACKLOG) | working | reopening  # worked on today: some log it
    logging = chosen[org.logs_work[project[chosen]] & worked]
    logged = _worklog_frame(
        shape, org, state, logging, np.full(len(logging), day_start), rng
    ).filter(pl.col("created") < day_start + DAY)
    np.maximum.at(state["updated"], logged["issue"].to_numpy(), logged["created"].to_numpy())
    return Nightly(
        issues=np.concatenate([chosen, new]),
        state=state,
        items=changes,
        worklogs=logged,
    )


# ---------------------------------------------------------------------------------------------
# Numbers to landed rows (ingest/normalize.py's schemas)
# ---------------------------------------------------------------------------------------------


def _pick(values: Sequence[str | None], index: pl.Expr) -> pl.Expr:
    """values[index]; every branch of a `when` is evaluated, so the index is clipped."""
    return pl.lit(pl.Series(values, dtype=pl.String)).gather(index.clip(0, len(values) - 1))


def _known(index: str, values: Sequence[str | None]) -> pl.Expr:
    """values[index], null where the index is -1."""
    return pl.when(pl.col(index) >= 0).then(_pick(values, pl.col(index)))


def _timestamp(column: str) -> pl.Expr:
    moment = pl.when(pl.col(column) >= 0).then(pl.col(column))
    return pl.from_epoch(moment, time_unit="us").dt.replace_time_zone("UTC")


def _id(column: str) -> pl.Expr:
    return (pl.col(column) + ID_BASE).cast(pl.String)


def _sprint_names(org: Organisation, sprint: pl.Expr) -> pl.Expr:
    boards = [key for key, scrum in zip(org.keys, org.scrum, strict=True) if scrum]
    offset = sprint - 1000
    return pl.concat_str(
        _pick(boards, offset % org.scrum_boards),
        pl.lit(" Sprint "),
        (offset // org.scrum_boards + 1).cast(pl.String),
    )


def _part(position: pl.Expr) -> pl.Expr:
    return (position // PART_ISSUES).alias("part")


def issue_rows(state: pl.DataFrame, org: Organisation, keys: pl.Series) -> pl.DataFrame:
    """ISSUE_SCHEMA rows from issue states (plus `part`: PART_ISSUES issues per landed part)."""
    issue_key = pl.lit(keys).gather(pl.col("issue"))
    project_name = _pick(org.names, pl.col("project"))
    sprint = [pl.when(pl.col(c) >= 0).then(pl.col(c)) for c in ("sprint_first", "sprint_second")]
    columns = {
        "issue_id": _id("issue"),
        "issue_key": issue_key,
        "project_key": _pick(org.keys, pl.col("project")),
        "project_name": project_name,
        "issue_type": _pick(ISSUE_TYPES, pl.col("issue_type")),
        "hierarchy_level": pl.col("level"),
        "is_subtask": pl.col("issue_type") == SUBTASK,
        "summary": pl.when(pl.col("mission") >= 0)
        .then(_pick(MISSION_INITIATIVES, pl.col("mission")))
        .otherwise(
            pl.concat_str(
                _pick(ISSUE_TYPES, pl.col("issue_type")),
                pl.lit(": "),
                project_name,
                pl.lit(" "),
                _pick(COMPONENTS, pl.col("component")),
                pl.lit(" #"),
                pl.col("key_number").cast(pl.String),
            )
        ),
        "status_id": _pick([s[0] for s in STATUSES], pl.col("status")),
        "status_name": _pick([s[1] for s in STATUSES], pl.col("status")),
        "status_category": _pick([s[2] for s in STATUSES], pl.col("status")),
        "priority": _pick(PRIORITIES, pl.col("priority")),
        "labels": pl.concat_list(_known("label", LABELS)).list.drop_nulls(),
        "components": pl.concat_list(
            pl.when(pl.col("project") < org.teams).then(_pick(COMPONENTS, pl.col("component")))
        ).list.drop_nulls(),
        "assignee_account_id": _known("assignee", org.accounts),
        "reporter_account_id": _known("reporter", org.accounts),
        "created_at": _timestamp("created"),
        "updated_at": _timestamp("updated"),
        "resolved_at": _timestamp("resolved"),
        "resolution": pl.when(pl.col("resolution") > 0).then(
            _pick([r and r[1] for r in RESOLUTIONS], pl.col("resolution"))
        ),
        "due_date": pl.when(pl.col("due") >= 0).then(pl.col("due").cast(pl.Int32).cast(pl.Date)),
        "parent_id": pl.when(pl.col("parent") >= 0).then(_id("parent")),
        "parent_key": pl.when(pl.col("parent") >= 0).then(
            pl.lit(keys).gather(pl.col("parent").clip(0))
        ),
        "story_points": pl.when(pl.col("points") >= 0).then(pl.col("points")),
        "team_id": pl.when("team_field").then(_pick(org.team_ids, pl.col("project"))),
        "team_name": pl.when("team_field").then(project_name),
        "sprint_ids": pl.concat_list(sprint).list.drop_nulls(),
        # As the extractor keeps it (keys sorted), reduced to the one custom field rules read.
        "raw_json": pl.concat_str(
            pl.lit('{"fields":{'),
            pl.when(pl.col("business_value") >= 0)
            .then(
                pl.concat_str(
                    pl.lit(f'"{BUSINESS_VALUE}":'), pl.col("business_value").cast(pl.Float64)
                )
            )
            .otherwise(pl.lit("")),
            pl.lit('},"id":"'),
            _id("issue"),
            pl.lit('","key":"'),
            issue_key,
            pl.lit('"}'),
        ),
    }
    return state.select(
        *(
            columns.get(name, pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in ISSUE_SCHEMA.items()
        ),
        _part(pl.int_range(pl.len())),
    )


def _item_values(kind: int, org: Organisation) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(from_value, from_string, to_value, to_string) of one kind of item, as Cloud lands it."""
    value_from, value_to, extra = pl.col("value_from"), pl.col("value_to"), pl.col("extra")

    def both(values: Sequence[str | None], strings: Sequence[str | None]) -> tuple:
        return tuple(
            pl.when(column >= 0).then(_pick(table, column))
            for column in (value_from, value_to)
            for table in (values, strings)
        )

    if kind == STATUS:
        return both([s[0] for s in STATUSES], [s[1] for s in STATUSES])
    if kind == RESOLUTION:
        return both([r and r[0] for r in RESOLUTIONS], [r and r[1] for r in RESOLUTIONS])
    if kind == ASSIGNEE:
        return both(org.accounts, org.people_names)
    if kind == SPRINT:  # "12" -> "12, 15": Jira lists every sprint the issue has been in
        to_extra = pl.when(extra >= 0)
        return (
            pl.when(value_from >= 0).then(value_from.cast(pl.String)),
            pl.when(value_from >= 0).then(_sprint_names(org, value_from)),
            pl.concat_str(
                value_to.cast(pl.String),
                to_extra.then(pl.concat_str(pl.lit(", "), extra.cast(pl.String))).otherwise(
                    pl.lit("")
                ),
            ),
            pl.concat_str(
                _sprint_names(org, value_to),
                to_extra.then(pl.concat_str(pl.lit(", "), _sprint_names(org, extra))).otherwise(
                    pl.lit("")
                ),
            ),
        )
    if kind == DUE_DATE:
        days = [
            pl.when(c >= 0).then(c.cast(pl.Int32).cast(pl.Date).cast(pl.String))
            for c in (value_from, value_to)
        ]
        return days[0], days[0] + " 00:00:00.0", days[1], days[1] + " 00:00:00.0"
    if kind == FLAGGED:
        flag = [
            (pl.when(c == 1).then(pl.lit(v)))
            for c in (value_from, value_to)
            for v in ("[10019]", "Impediment")
        ]
        return tuple(flag)
    if kind == STORY_POINTS:
        return pl.lit(None), pl.lit(None), pl.lit(None), value_to.cast(pl.String)
    # RANK
    return pl.lit(""), pl.lit(""), pl.lit(""), _pick(["Ranked higher", "Ranked lower"], value_to)


def changelog_rows(items: pl.DataFrame, org: Organisation, parts: pl.DataFrame) -> pl.DataFrame:
    """CHANGELOG_SCHEMA rows (plus `part`) from numbered items; `parts`: issue -> part."""
    by_kind = []
    for kind, (field, field_id, field_type) in enumerate(ITEM_FIELDS):
        values = _item_values(kind, org)
        by_kind.append(
            items.filter(pl.col("kind") == kind).select(
                "issue",
                "history",
                "item_index",
                "at",
                "author",
                pl.lit(field).alias("field"),
                pl.lit(field_id).alias("field_id"),
                pl.lit(field_type).alias("field_type"),
                *(
                    value.cast(pl.String).alias(name)
                    for value, name in zip(
                        values, ("from_value", "from_string", "to_value", "to_string"), strict=True
                    )
                ),
            )
        )
    columns = {
        "issue_id": _id("issue"),
        "history_id": pl.col("history").cast(pl.String),
        "changed_at": _timestamp("at"),
        "author_account_id": _known("author", org.accounts),
    }
    return (
        pl.concat(by_kind)
        .join(parts, on="issue")
        .sort("issue", "history", "item_index")
        .select(
            *(
                columns.get(name, pl.col(name)).cast(dtype).alias(name)
                for name, dtype in CHANGELOG_SCHEMA.items()
            ),
            "part",
        )
    )


def worklog_rows(worklogs: pl.DataFrame, org: Organisation, parts: pl.DataFrame) -> pl.DataFrame:
    columns = {
        "worklog_id": _id("worklog"),
        "issue_id": _id("issue"),
        "author_account_id": _known("author", org.accounts),
        "started_at": _timestamp("started"),
        "time_spent_seconds": pl.col("spent"),
        "created_at": _timestamp("created"),
        "updated_at": _timestamp("created"),
    }
    return (
        worklogs.join(parts, on="issue")
        .sort("issue", "started")
        .select(
            *(columns[name].cast(dtype).alias(name) for name, dtype in WORKLOG_SCHEMA.items()),
            "part",
        )
    )


def link_rows(issue_links: pl.DataFrame, keys: pl.Series, parts: pl.DataFrame) -> pl.DataFrame:
    inward = pl.col("inward")
    columns = {
        "link_id": _id("link"),
        "issue_id": _id("issue"),
        "link_type": _pick(["Blocks", "Relates"], pl.col("link_type")),
        "direction": pl.when(inward).then(pl.lit("inward")).otherwise(pl.lit("outward")),
        "link_verb": pl.when(pl.col("link_type") == 1)
        .then(pl.lit("relates to"))
        .when(inward)
        .then(pl.lit("is blocked by"))
        .otherwise(pl.lit("blocks")),
        "other_issue_id": _id("other"),
        "other_issue_key": pl.lit(keys).gather(pl.col("other")),
    }
    return (
        issue_links.join(parts, on="issue")
        .sort("issue", "link")
        .select(
            *(columns[name].cast(dtype).alias(name) for name, dtype in ISSUE_LINK_SCHEMA.items()),
            "part",
        )
    )


def user_rows(org: Organisation, people: np.ndarray) -> pl.DataFrame:
    people = np.unique(people[people >= 0])
    return (
        pl.DataFrame({"person": people})
        .select(
            _pick(org.accounts, pl.col("person")).alias("account_id"),
            _pick(org.people_names, pl.col("person")).alias("display_name"),
            pl.lit(None, pl.String).alias("email"),
            (pl.col("person") % 37 != 0).alias("active"),  # a few have left
        )
        .cast(USER_SCHEMA)
    )


def catalogue_rows(org: Organisation, cutoff: int) -> dict[str, pl.DataFrame]:
    """The site's statuses, fields, boards and sprints as an extraction at `cutoff` sees them."""
    teams = np.arange(org.teams)
    boards = pl.DataFrame(
        {
            "board_id": teams + 1,
            "board_name": [f"{key} board" for key in org.keys[: org.teams]],
            "board_type": np.where(org.scrum[teams], "scrum", "kanban"),
            "project_key": org.keys[: org.teams],
        },
        schema=BOARD_SCHEMA,
    )
    scrum = teams[org.scrum[teams]]
    board, number = (a.ravel() for a in np.meshgrid(scrum, np.arange(org.sprints)))
    start = org.sprint_start(number)
    end = start + SPRINT_DAYS * DAY
    # Closed sprints were completed a little after their end; the next one is planned, undated.
    state = np.select([end <= cutoff, start <= cutoff], ["closed", "active"], "future")
    keep = start <= cutoff + SPRINT_DAYS * DAY
    sprints = pl.DataFrame(
        {
            "sprint_id": org.sprint_id(board, number),
            "board_id": board + 1,
            "number": number,
            "state": state,
            "start": np.where(state == "future", -1, start),
            "end": np.where(state == "future", -1, end),
            "completed": np.where(state == "closed", end + 2 * 60 * SECOND, -1),
        }
    ).filter(pl.Series(keep))
    sprints = sprints.select(
        "sprint_id",
        "board_id",
        _sprint_names(org, pl.col("sprint_id")).alias("sprint_name"),
        "state",
        pl.concat_str(
            pl.lit("Ship the next slice, sprint "), pl.col("number").cast(pl.String)
        ).alias("goal"),
        _timestamp("start").alias("start_at"),
        _timestamp("end").alias("end_at"),
        _timestamp("completed").alias("completed_at"),
    ).sort("sprint_id")
    return {
        "statuses": pl.DataFrame([s for s in STATUSES], schema=list(STATUS_SCHEMA), orient="row"),
        "fields": pl.DataFrame(FIELD_CATALOGUE, schema=FIELD_SCHEMA, orient="row"),
        "boards": boards,
        "sprints": sprints.cast(SPRINT_SCHEMA),
        "deletions": pl.DataFrame(schema=DELETION_SCHEMA),
    }


def _issue_keys(org: Organisation, state: dict[str, np.ndarray]) -> pl.Series:
    return pl.select(
        pl.concat_str(
            _pick(org.keys, pl.lit(pl.Series(state["project"]))),
            pl.lit("-"),
            pl.lit(pl.Series(state["key_number"])).cast(pl.String),
        )
    ).to_series()


# ---------------------------------------------------------------------------------------------
# Landing batches, cached on disk
# ---------------------------------------------------------------------------------------------

PER_ISSUE_TABLES = ("issues", "changelog_items", "worklogs", "issue_links")


def _write_batch(
    landing: Path, batch_id: str, tables: dict[str, pl.DataFrame], manifest: dict
) -> dict[str, int]:
    """One committed batch: per-issue tables in parts of PART_ISSUES issues, as extraction lands
    them (every part holds every per-issue table, possibly empty), the rest in one part each."""
    parts = int(tables["issues"]["part"].max() or 0) + 1
    with BatchWriter(landing, batch_id) as batch:
        for table, rows in tables.items():
            if table not in PER_ISSUE_TABLES:
                batch.write_part(table, rows)
                continue
            by_part = rows.partition_by("part", as_dict=True, include_key=False)
            empty = rows.drop("part").clear()
            for part in range(parts):
                batch.write_part(table, by_part.get((part,), empty))
        batch.commit(manifest)
        return dict(batch.row_counts)


def _batch_id(moment: int, serial: int) -> str:
    return f"{datetime.fromtimestamp(moment // SECOND, UTC):%Y%m%dT%H%M%SZ}-5e7b{serial:04x}"


def generate(shape: Shape, base_dir: Path, nightly_dir: Path) -> dict[str, dict[str, int]]:
    """Land the site into `base_dir` (one full batch) and the next night's batch into
    `nightly_dir`; returns each batch's row counts."""
    rng = np.random.default_rng(shape.seed)
    org = organisation(shape, rng)
    state, items = live(shape, org, draw_issues(shape, org, rng), rng)
    logged = worklogs(shape, org, state, rng)
    np.maximum.at(state["updated"], logged["issue"].to_numpy(), logged["created"].to_numpy())
    issue_links = links(state, rng)
    night = nightly(shape, org, state, rng)
    keys = _issue_keys(org, night.state)  # the base issues' keys, then the new issues'
    logged = logged.sort("started").with_columns(worklog=pl.int_range(pl.len()))
    night_logged = night.worklogs.sort("started").with_columns(
        worklog=pl.int_range(pl.len()) + logged.height
    )

    def landed(issues: np.ndarray, state: dict, changes, worklog_frame, cutoff: int) -> dict:
        frame = pl.DataFrame({name: values[issues] for name, values in state.items()})
        parts = frame.select("issue", _part(pl.int_range(pl.len())))
        people = [frame["assignee"], frame["reporter"]]
        people += [f.join(parts, on="issue")["author"] for f in (changes, worklog_frame)]
        return {
            "issues": issue_rows(frame, org, keys),
            "changelog_items": changelog_rows(changes, org, parts),
            "worklogs": worklog_rows(worklog_frame, org, parts),
            "issue_links": link_rows(issue_links, keys, parts),
            "users": user_rows(org, np.concatenate([p.to_numpy() for p in people])),
            **catalogue_rows(org, cutoff),
        }

    common = {"deployment_type": "cloud", "synthetic": repr(shape)}
    base_counts = _write_batch(
        base_dir,
        _batch_id(shape.cutoff + 30 * 60 * SECOND, 1),
        landed(state["issue"], state, items, logged, shape.cutoff),
        {**common, "mode": "full", "watermark_to": _iso(shape.cutoff)},
    )
    # Every issue the night touched is landed again with its complete changelog and worklogs.
    night_items = _histories(night.items, first=int(items["history"].max()) + 1)
    nightly_counts = _write_batch(
        nightly_dir,
        _batch_id(shape.cutoff + DAY + 30 * 60 * SECOND, 2),
        landed(
            night.issues,
            night.state,
            pl.concat([_of(items, night.issues), night_items.select(items.columns)]),
            pl.concat([_of(logged, night.issues), night_logged.select(logged.columns)]),
            shape.cutoff + DAY,
        ),
        {**common, "mode": "incremental", "watermark_to": _iso(shape.cutoff + DAY)},
    )
    return {"base": base_counts, "nightly": nightly_counts}


def _of(frame: pl.DataFrame, issues: np.ndarray) -> pl.DataFrame:
    return frame.filter(pl.col("issue").is_in(pl.Series(issues).implode()))


def _iso(moment: int) -> str:
    return datetime.fromtimestamp(moment / SECOND, UTC).isoformat()


def _digest(shape: Shape) -> str:
    """Changes whenever the shape or this generator does, so a stale cache is never reused."""
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + repr(shape).encode()).hexdigest()[:12]


def ensure_landings(cache_dir: Path, shape: Shape) -> Landings:
    """The site of `shape` under `cache_dir`, generated unless an identical one is cached there.

    Layout: `cache_dir/landing-<issues>-<digest>/{base,nightly}/batches/<batch>/...` and a
    `site.json` written last (its presence marks a complete site). Older sites of the same size
    are removed when a new one is written.
    """
    name = f"landing-{shape.issues}-{_digest(shape)}"
    site = cache_dir / name
    landings = Landings(shape=shape, base=site / "base", nightly=site / "nightly")
    if (site / "site.json").exists():
        return landings
    for stale in cache_dir.glob(f"landing-{shape.issues}-*"):
        shutil.rmtree(stale)
    site.mkdir(parents=True)
    counts = generate(shape, landings.base, landings.nightly)
    (site / "site.json").write_text(json.dumps({"shape": repr(shape), "row_counts": counts}))
    return landings
