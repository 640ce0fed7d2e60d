"""A deterministic, seeded engineering organisation, shaped exactly like Jira Cloud's payloads.

Everything derives from ``random.Random(seed)`` and ``as_of``; nothing reads the wall clock, so one
seed always yields byte-identical JSON. Work is simulated rather than sampled: every person pulls
one item at a time and picks the risk tier that their team's posture says is most under-served in
the current quarter. The planted postures therefore show up in effort (time In Progress), quarter by
quarter, which is how the warehouse measures them.

Self links use ``BASE_URL_PLACEHOLDER``; the server swaps in its own address when it serialises.

Additions made after the first version (worklogs, story-level links, hidden e-mail addresses, extra
accounts, the Parent Link field) draw from a second stream, ``random.Random(f"{seed}/extras")``, so
that everything the first stream produced stays byte-identical.

On top of the simulation sit planted truths (``PlantedTruths``): a few epics whose histories are
written out event by event, each showing one fact the warehouse must find (scope growth, staleness,
a block, a failed moonshot, a mission gap), and the "Business Value" field that concentrates
expected impact in two projects. They draw from a third stream, ``f"{seed}/planted"``. The one
planted fact that steers the simulation is the rebalancing after the failed moonshot: three quarters
before ``as_of``'s, its team aims for more sure things, so the simulation's output changes from
that quarter on.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import heapq
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Generator, Iterator, Mapping
from operator import itemgetter
from zoneinfo import ZoneInfo

BASE_URL_PLACEHOLDER = "https://jira-sandbox.invalid"
USER_TIME_ZONE = "Europe/Berlin"
DEMO_EMAIL = "demo@example.com"

TIERS = ("sure_thing", "linear_bet", "moonshot")
TIER_LABELS = {"sure_thing": "tier:sure", "linear_bet": "tier:linear", "moonshot": "tier:moonshot"}
POSTURE_TARGETS = {
    "balanced": {"sure_thing": 0.60, "linear_bet": 0.30, "moonshot": 0.10},
    "risk_averse": {"sure_thing": 0.85, "linear_bet": 0.12, "moonshot": 0.03},
    "too_bold": {"sure_thing": 0.25, "linear_bet": 0.375, "moonshot": 0.375},
}

STORY_POINTS = "Story Points"
STORY_POINT_ESTIMATE = "Story point estimate"
SPRINT = "Sprint"
TEAM = "Team"
EPIC_LINK = "Epic Link"
RANK = "Rank"
FLAGGED = "Flagged"
CUSTOMER = "Customer"
PARENT_LINK = "Parent Link"  # Advanced Roadmaps' epic -> initiative link (Data Center)
BUSINESS_VALUE = "Business Value"  # a number field on epics: the impact of the project

_UTC = dt.UTC
_ZONE = ZoneInfo(USER_TIME_ZONE)
_API = f"{BASE_URL_PLACEHOLDER}/rest/api/3"
_AGILE = f"{BASE_URL_PLACEHOLDER}/rest/agile/1.0"
_ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"

# ---------------------------------------------------------------------------------------------
# Static catalogue: statuses, issue types, priorities, resolutions, fields
# ---------------------------------------------------------------------------------------------
TODO, BACKLOG, IN_PROGRESS, IN_REVIEW, BLOCKED, DONE, WONT_DO = (
    "10000",
    "10001",
    "3",
    "10002",
    "10003",
    "10004",
    "10005",
)
_CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}
_STATUSES = (
    (TODO, "To Do", "new", "Work that is ready to be picked up."),
    (BACKLOG, "Backlog", "new", "Captured, not yet planned."),
    (IN_PROGRESS, "In Progress", "indeterminate", "Someone is working on it."),
    (IN_REVIEW, "In Review", "indeterminate", "Waiting for code review."),
    (BLOCKED, "Blocked", "indeterminate", "Work cannot continue until something else happens."),
    (DONE, "Done", "done", "Work has finished."),
    (WONT_DO, "Won't Do", "done", "Work was dropped."),
)
_STATUS_CATEGORY = {status_id: category for status_id, _, category, _ in _STATUSES}
RES_DONE, RES_WONT_DO = "10000", "10001"
_RESOLUTIONS = (
    (RES_DONE, "Done", "Work has been completed."),
    (RES_WONT_DO, "Won't Do", "Dropped."),
)
_PRIORITIES = (("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest"))
# name -> (id, hierarchyLevel, description)
_ISSUE_TYPES = {
    "Initiative": ("10010", 2, "A program of work that spans teams."),
    "Epic": ("10000", 1, "A large body of work, broken down into stories."),
    "Story": ("10001", 0, "A user-facing piece of functionality."),
    "Task": ("10002", 0, "A piece of work that is not user-facing."),
    "Bug": ("10004", 0, "A problem that impairs the product."),
    "Spike": ("10005", 0, "A time-boxed investigation."),
    "Sub-task": ("10003", -1, "A part of a larger piece of work."),
}
_FLAG_OPTION = {"self": f"{_API}/customFieldOption/10019", "value": "Impediment", "id": "10019"}
_BLOCKS = {
    "self": f"{_API}/issueLinkType/10000",
    "id": "10000",
    "name": "Blocks",
    "inward": "is blocked by",
    "outward": "blocks",
}

# (id, name, schema or None, orderable, clause names). `parent` and `issuekey` have no schema on
# real Cloud instances, so discovery code must not assume one.
# fmt: off
_SYSTEM_FIELDS = (
    ("issuekey", "Key", None, False, ("id", "issue", "issuekey", "key")),
    ("summary", "Summary", {"type": "string", "system": "summary"}, True, ("summary",)),
    ("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}, True,
     ("issuetype", "type")),
    ("status", "Status", {"type": "status", "system": "status"}, False, ("status",)),
    ("statuscategorychangedate", "Status Category Changed",
     {"type": "datetime", "system": "statuscategorychangedate"}, False,
     ("statusCategoryChangedDate",)),
    ("project", "Project", {"type": "project", "system": "project"}, False, ("project",)),
    ("priority", "Priority", {"type": "priority", "system": "priority"}, True, ("priority",)),
    ("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}, True,
     ("labels",)),
    ("components", "Components", {"type": "array", "items": "component", "system": "components"},
     True, ("component",)),
    ("assignee", "Assignee", {"type": "user", "system": "assignee"}, True, ("assignee",)),
    ("reporter", "Reporter", {"type": "user", "system": "reporter"}, True, ("reporter",)),
    ("creator", "Creator", {"type": "user", "system": "creator"}, False, ("creator",)),
    ("created", "Created", {"type": "datetime", "system": "created"}, False,
     ("created", "createdDate")),
    ("updated", "Updated", {"type": "datetime", "system": "updated"}, False,
     ("updated", "updatedDate")),
    ("resolutiondate", "Resolved", {"type": "datetime", "system": "resolutiondate"}, False,
     ("resolutiondate", "resolved")),
    ("resolution", "Resolution", {"type": "resolution", "system": "resolution"}, True,
     ("resolution",)),
    ("duedate", "Due date", {"type": "date", "system": "duedate"}, True, ("due", "duedate")),
    ("parent", "Parent", None, False, ("parent",)),
    ("issuelinks", "Linked Issues",
     {"type": "array", "items": "issuelinks", "system": "issuelinks"}, True, ("issueLink",)),
    ("subtasks", "Sub-tasks", {"type": "array", "items": "issuelinks", "system": "subtasks"},
     False, ("subtasks",)),
)
# fmt: on
# Time tracking, as real instances describe it: the worklog field is not navigable, so only
# `*all` or naming it returns it.
_TIME_TRACKING_FIELDS = (
    {
        "id": "timespent",
        "key": "timespent",
        "name": "Time Spent",
        "custom": False,
        "orderable": False,
        "navigable": True,
        "searchable": False,
        "clauseNames": ["timespent"],
        "schema": {"type": "number", "system": "timespent"},
    },
    {
        "id": "worklog",
        "key": "worklog",
        "name": "Log Work",
        "custom": False,
        "orderable": True,
        "navigable": False,
        "searchable": True,
        "clauseNames": [],
        "schema": {"type": "array", "items": "worklog", "system": "worklog"},
    },
)
_PARENT_LINK_SCHEMA = {"type": "any", "custom": "com.atlassian.jpo:jpo-custom-field-parent"}
_BUSINESS_VALUE_SCHEMA = {
    "type": "number",
    "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
}
WORKLOGS_EMBEDDED = 20  # an issue's `worklog` field holds at most this many, like Jira's
_NO_WORKLOGS = {"startAt": 0, "maxResults": WORKLOGS_EMBEDDED, "total": 0, "worklogs": []}
# (name, schema without customId, extra clause names)
_CUSTOM_FIELDS = (
    (
        STORY_POINTS,
        {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
        ("Story Points[Number]",),
    ),
    (
        STORY_POINT_ESTIMATE,
        {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points"},
        (),
    ),
    (
        SPRINT,
        {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"},
        (),
    ),
    (
        TEAM,
        {"type": "team", "custom": "com.atlassian.teams:rm-teams-custom-field-team"},
        ("Team[Team]",),
    ),
    (EPIC_LINK, {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"}, ()),
    (RANK, {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"}, ()),
    (
        FLAGGED,
        {
            "type": "array",
            "items": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        },
        ("Flagged[Checkboxes]",),
    ),
    (
        CUSTOMER,
        {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield"},
        ("Customer[Short text]",),
    ),
)

# ---------------------------------------------------------------------------------------------
# The organisation
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _TeamSpec:
    name: str
    key: str
    posture: str
    size: int
    scrum: bool  # runs sprints
    story_points: bool  # estimates in Story Points
    team_field_share: float  # share of the team's issues that carry the Team custom field
    components: tuple[str, ...]
    topics: tuple[str, ...]
    logs_work: bool = False  # logs time on its issues (worklogs)


# fmt: off
_TEAM_SPECS = (
    _TeamSpec(
        name="Payments", key="PAY", posture="balanced", size=5, scrum=True, story_points=True,
        team_field_share=1.0, components=("Checkout", "Payouts", "Billing"),
        topics=("checkout flow", "refund handling", "3DS challenge", "payout reconciliation",
                "invoice PDFs", "card tokenisation", "SEPA mandates", "fraud rules",
                "webhook retries", "currency rounding"),
    ),
    _TeamSpec(
        name="Search", key="SRCH", posture="too_bold", size=4, scrum=True, story_points=True,
        team_field_share=0.0, components=("Indexing", "Ranking", "Query API"),
        topics=("query parser", "autocomplete", "ranking model", "synonym dictionary",
                "index rebuild", "facet counts", "typo tolerance", "relevance dashboard",
                "zero-result queries", "vector index"),
    ),
    _TeamSpec(
        name="Platform", key="PLAT", posture="risk_averse", size=4, scrum=False,
        story_points=False, team_field_share=0.0, logs_work=True,
        components=("CI/CD", "Kubernetes", "Observability"),
        topics=("Kubernetes upgrade", "Terraform modules", "CI runners", "secrets rotation",
                "service mesh", "log retention", "Postgres failover", "build cache",
                "on-call runbooks", "TLS certificates"),
    ),
    _TeamSpec(
        name="Mobile", key="MOB", posture="balanced", size=4, scrum=True, story_points=True,
        team_field_share=0.3, components=("iOS", "Android", "Release"),
        topics=("onboarding screens", "push notifications", "offline mode", "deep links",
                "app start time", "dark mode", "crash reporting", "in-app purchases",
                "biometric login", "release train"),
    ),
    _TeamSpec(
        name="Data Insights", key="DATA", posture="balanced", size=3, scrum=False,
        story_points=False, team_field_share=0.6, logs_work=True,
        components=("Pipelines", "Dashboards", "Data Quality"),
        topics=("revenue dashboard", "event pipeline", "dbt models", "data contracts",
                "retention cohorts", "attribution model", "warehouse costs", "GDPR deletion",
                "experiment analysis", "metrics layer"),
    ),
)
_PROGRAM_KEY, _PROGRAM_NAME = "STRAT", "Strategy & Programs"
# (summary, tier label or None, open from month, open until month or None), months from the start
_INITIATIVES = (
    ("Frictionless checkout", None, 0, 8),
    ("Project Aurora: AI-assisted discovery", "moonshot", 0, None),
    ("Reliability and keep-the-lights-on", "sure_thing", 0, None),
    ("Self-serve analytics", "linear_bet", 0, None),
    ("Mobile-first growth", None, 2, None),
    ("Platform modernisation", None, 6, None),
)
_FIRST_NAMES = (
    "Mia", "Noah", "Lena", "Jonas", "Aisha", "Mateo", "Priya", "Lukas", "Sofia", "Elias", "Hana",
    "Omar", "Clara", "Felix", "Yuki", "Ben", "Amara", "Leon", "Ines", "Tariq", "Nora", "Paul",
    "Zoe", "Emil", "Maya", "David", "Lea", "Samir", "Julia", "Ravi", "Greta", "Kofi", "Anna",
    "Milan", "Sara", "Theo", "Ida", "Marco", "Lina", "Jakob",
)
_LAST_NAMES = (
    "Krystof", "Weber", "Okafor", "Schmidt", "Novak", "Haddad", "Rossi", "Becker", "Tanaka",
    "Fischer", "Silva", "Kowalski", "Meyer", "Dubois", "Nguyen", "Hoffmann", "Jansen", "Costa",
    "Wagner", "Ahmed", "Larsen", "Kaya", "Moreau", "Richter", "Singh", "Berg", "Lindqvist",
    "Petrov", "Schulz", "Alvarez",
)
_EPIC_VERBS = {
    "sure_thing": ("Upgrade", "Harden", "Stabilise", "Migrate", "Clean up"),
    "linear_bet": ("Improve", "Extend", "Redesign", "Speed up", "Simplify"),
    "moonshot": ("Prototype", "Reinvent", "Explore ML for", "Rebuild from scratch:", "Bet on"),
}
_FRAGMENTS = (
    "error handling", "metrics", "feature flag", "API endpoint", "caching", "audit log",
    "admin screen", "retry logic", "pagination", "alerting", "load test", "schema change",
    "rollout plan", "integration tests", "permissions",
)
_SYMPTOMS = (
    "fails on empty input", "times out under load", "shows stale data", "crashes on Android 14",
    "double-counts events", "returns 500 for some users", "wrong currency rounding",
    "missing translations",
)
# fmt: on
_LEAF_LABELS = ("frontend", "backend", "api", "ux", "security", "performance", "customer-request")
_NOISY_LABELS = ("flaky", "ci", "needs-triage", "test-infra", "p2")
_CUSTOMERS = ("Acme GmbH", "Globex", "Initech", "Umbrella Retail", "Stark Logistics")
_SUBTASK_SUMMARIES = (
    "Implement backend",
    "Implement UI",
    "Write tests",
    "Update docs",
    "Code review fixes",
)
# Child issue types per epic flavour; "spike_heavy"/"bug_heavy" epics are recognisable by rule.
_FLAVOUR_TYPES = {
    "sure_thing": (("Story", "Task", "Bug"), (0.45, 0.35, 0.20)),
    "linear_bet": (("Story", "Task", "Bug", "Spike"), (0.60, 0.25, 0.10, 0.05)),
    "moonshot": (("Story", "Spike", "Task"), (0.55, 0.25, 0.20)),
    "plain": (("Story", "Task"), (0.65, 0.35)),
    "spike_heavy": (("Story", "Task"), (0.75, 0.25)),
    "bug_heavy": (("Task", "Story"), (0.6, 0.4)),
}
_HEAVY_TYPE = {"spike_heavy": "Spike", "bug_heavy": "Bug"}
# (initial children, growth factor range, chance of being cancelled) per tier
_EPIC_SHAPES = {
    "sure_thing": ((5, 10), (1.0, 1.2), 0.03),
    "linear_bet": ((7, 14), (1.0, 1.35), 0.10),
    "moonshot": ((8, 16), (1.1, 1.6), 0.30),
}
_POINTS = ((1, 2, 3, 5, 8), (0.10, 0.25, 0.30, 0.25, 0.10))
_POINT_DAYS = {1: 1.5, 2: 2.0, 3: 3.0, 5: 5.0, 8: 7.0}
_NOISY_TICKETS = 3
_NOISY_HISTORIES = (260, 340)
# Planted truths (see PlantedTruths). The team whose moonshot fails four quarters before as_of's
# plays it safe in the quarter after, as a risk-averse team would: its sure-thing share rises.
# Not later: the rebalancing quarter must stay out of the last three (as_of's included), where
# the team's posture must read balanced, and work begun in it spills into the next quarter.
_FAILED_MOONSHOT_TEAM, _FAILED_MOONSHOT_QUARTERS_AGO = "MOB", 4
_REBALANCED_TARGETS = POSTURE_TARGETS["risk_averse"]
_BALANCED_TEAM = "Payments"  # not Mobile, which rebalances, nor Data Insights, at times bold
# The mission config/classification.yaml recognises by its initiative's summary.
_GAP_MISSION, _GAP_INITIATIVE = "Project Aurora", "Project Aurora: AI-assisted discovery"
# p_success by tier, as config/classification.yaml sets it, for the expected impact
_P_SUCCESS = {"sure_thing": 0.9, "linear_bet": 0.6, "moonshot": 0.2, "unclassified": 0.6}
_BUSINESS_VALUES = (1, 2, 3, 5, 8)  # what product managers put on most epics that have one

# ---------------------------------------------------------------------------------------------
# Public results
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TeamTruth:
    project_key: str
    posture: str  # "risk_averse" | "too_bold" | "balanced"
    target_shares: dict[str, float]  # intended effort share per tier
    team_field_id: str  # the id of this team in the Team custom field
    scrum: bool  # runs sprints (the Sprint field is set on its issues)
    story_points: bool  # estimates in the Story Points field
    member_account_ids: tuple[str, ...]
    logs_work: bool = False  # its leaf issues carry worklogs
    board_id: int = 0  # its agile board: scrum if it runs sprints, else kanban
    # Data Center's Advanced Roadmaps sends a team as its numeric id (a string of digits).
    datacenter_team_id: str = ""


@dataclasses.dataclass(frozen=True)
class EpicTruth:
    team: str
    tier: str  # intended: "sure_thing" | "linear_bet" | "moonshot"
    marked_by: str  # "label" | "initiative_label" | "rule" | "none"
    # Why a correct classifier decides this tier, in the spec's reason vocabulary:
    # "label:tier:moonshot", "inherited:STRAT-2", "rule:spike-heavy", "rule:bug-heavy",
    # "rule:label-experiment", "rule:label-maintenance" or "unclassified".
    reason: str
    initiative: str | None
    outcome: str  # status category at as_of: "done" | "cancelled" | "open"


@dataclasses.dataclass(frozen=True)
class PlantedTruths:
    """Facts planted for the warehouse to find, each as ../shared/spec/portfolio-metrics.md defines
    it (with the default thresholds of config/classification.yaml and dbt_project.yml). Keys are
    epic keys; quarters are named by their first day; every date is relative to ``as_of``.
    """

    # Section 5 posture: risk appetite index (share x score: sure 0, linear 0.5, moonshot 1) below
    # the team's target index - 0.08, above it + 0.08, or within; each holds in at least 2 of the
    # last 3 quarters (chronic for the first two), effort measured as in section 4.
    risk_averse_team: str
    too_bold_team: str
    balanced_team: str
    # Section 6 delivery status `at_risk`: scope growth (6 children at its first start, 10 now)
    # above 30%, and stale for about a week (> 4, < 14 days); not blocked, due in 12 weeks.
    scope_growth_at_risk_epic: str
    # `off_track` by staleness: open, and no change on it or any child for about three weeks.
    stale_epic: str
    # `blocked`: the epic is flagged (Flagged field) and one of its stories is in "Blocked".
    blocked_epic: str
    # Section 7 swing cadence: a moonshot epic of this team cancelled (Won't Do) during
    # failed_moonshot_quarter; in rebalancing_quarter, the next, its sure-thing share rises.
    failed_moonshot_epic: str
    failed_moonshot_team: str
    failed_moonshot_quarter: dt.date
    rebalancing_quarter: dt.date
    # Section 7 mission coverage gap: an open project of the mission (its epic sits under the
    # mission's initiative) with no effort for about six weeks (28+ days); it has a due date.
    gap_mission: str
    gap_mission_initiative: str
    gap_mission_epic: str
    # Section 7 impact concentration: the smallest set of projects holding at least 50% of the
    # expected impact (Business Value, else 1, x p_success of the tier), counted over all
    # projects or over the open ones alone; both are open and in progress.
    impact_core_epics: frozenset[str]


@dataclasses.dataclass(frozen=True)
class OrgTruth:
    """What the generator planted, for tests to check a pipeline against.

    Served as Data Center, the hierarchy moves into custom fields: a story's epic is only in
    "Epic Link" (the epic's key), an epic's initiative only in "Parent Link", whose value is the
    initiative's key as a plain string (for example "STRAT-3"); `parent` remains on sub-tasks only.
    """

    as_of: dt.date
    now: dt.datetime  # the sandbox clock: no timestamp in the data is later
    window_start: dt.date  # the first day with any activity
    program_project_key: str
    teams: dict[str, TeamTruth]  # team name -> truth
    epics: dict[str, EpicTruth]  # epic key -> truth
    initiative_tiers: dict[str, str | None]  # initiative key -> tier of its label, if any
    orphan_keys: frozenset[str]  # leaf issues deliberately without an epic
    noisy_issue_keys: tuple[str, ...]  # issues with 250+ changelog histories
    epic_link_epics: tuple[str, ...]  # epics whose children also carry the legacy Epic Link
    performing_team_overrides: dict[str, str]  # issue key -> team that did the work elsewhere
    custom_field_ids: dict[str, str]  # field name -> "customfield_NNNNN"
    planted: PlantedTruths
    worklog_issue_keys: frozenset[str] = frozenset()  # issues with at least one worklog
    # (blocker, blocked) keys of the "Blocks" links between stories
    story_block_links: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class SandboxOrg:
    fields: list[dict]
    statuses: list[dict]
    users: list[dict]
    myself: dict
    issues: list[dict]  # IssueBeans with every field; the server filters by `fields`
    changelogs: Mapping[str, list[dict]]  # issue id -> histories, oldest first (see Changelogs)
    truth: OrgTruth
    resolutions: list[dict] = dataclasses.field(default_factory=list)
    worklogs: dict[str, list[dict]] = dataclasses.field(default_factory=dict)  # id -> oldest first
    boards: list[dict] = dataclasses.field(default_factory=list)  # agile boards, by id
    sprints: dict[int, list[dict]] = dataclasses.field(default_factory=dict)  # board id -> sprints


class Changelogs(Mapping[str, list[dict]]):
    """Issue id -> change histories, oldest first, rendered afresh on every read.

    Kept compact until asked for: rendered histories would be half the memory of a 100k-issue
    organisation. Reads of the same issue are equal, not identical.
    """

    def __init__(self) -> None:
        self._compact: dict[str, tuple[int, tuple]] = {}  # id -> (first history id, histories)

    def add(self, issue_id: str, first_history_id: int, histories: tuple) -> None:
        """``histories``: ``(at, author, items)`` tuples, oldest first."""
        self._compact[issue_id] = (first_history_id, histories)

    def count(self, issue_id: str) -> int:
        return len(self._compact[issue_id][1])

    def __getitem__(self, issue_id: str) -> list[dict]:
        first_id, histories = self._compact[issue_id]
        return [
            {
                "id": str(first_id + offset),
                "author": author,
                "created": format_jira_datetime(at),
                "items": list(items),
            }
            for offset, (at, author, items) in enumerate(histories)
        ]

    def __iter__(self) -> Iterator[str]:
        return iter(self._compact)

    def __len__(self) -> int:
        return len(self._compact)


def generate_org(
    seed: int = 7, *, as_of: dt.date = dt.date(2026, 10, 30), scale: float = 1.0
) -> SandboxOrg:
    """Build the organisation. ``scale`` multiplies head count, hence issue counts, linearly."""
    with gc_paused():
        return _Builder(seed, as_of, scale).build()


@contextlib.contextmanager
def gc_paused() -> Generator[None, None, None]:
    """Pause the cyclic garbage collector while building large, long-lived structures.

    Building allocates millions of objects that all stay alive; the collector would traverse
    them again and again (half the build time at 100k issues) to find no garbage. Cycles made
    meanwhile are collected once it runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------
# Time helpers. Simulated work happens Mon-Fri 08:00-16:00 UTC; rendering uses the user's zone,
# as Jira Cloud renders instants in the zone of the requesting user.
# ---------------------------------------------------------------------------------------------
_DAY_START, _DAY_END = 8, 16


def format_jira_datetime(t: dt.datetime) -> str:
    """Jira's datetime form, in the user's zone as Cloud renders it: 2025-08-01T12:15:00.000+0200"""
    text = t.astimezone(_ZONE).isoformat(timespec="milliseconds")  # fast; offset as "+02:00"
    return text[:-3] + text[-2:]


def change_item(
    field: str,
    old_id,
    old_text,
    new_id,
    new_text,
    *,
    field_id: str | None = None,
    custom: bool = False,
) -> dict:
    """One changelog item; ``field_id`` defaults to the field's name."""
    return {
        "field": field,
        "fieldtype": "custom" if custom else "jira",
        "fieldId": field_id or field,
        "from": old_id,
        "fromString": old_text,
        "to": new_id,
        "toString": new_text,
    }


@functools.cache  # few distinct values: one string each
def jira_duration(seconds: int) -> str:
    """Jira's time-tracking text with its default 8-hour days and 5-day weeks: "1d 2h 30m"."""
    minutes, parts = seconds // 60, []
    for unit, size in (("w", 5 * 8 * 60), ("d", 8 * 60), ("h", 60), ("m", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return " ".join(parts) or "0m"


def _format_utc_z(t: dt.datetime) -> str:  # sprint dates use this ISO form on Cloud
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


_DAYS_TO_NEXT_WORKDAY = (1, 1, 1, 1, 3, 2, 1)  # by weekday, Monday first
_ONE_DAY = dt.timedelta(days=1)
_ONE_MINUTE = dt.timedelta(minutes=1)


def _next_work_moment(t: dt.datetime) -> dt.datetime:
    """``t`` if inside working hours, else the start of the next working day."""
    weekday = t.weekday()
    if weekday < 5 and _DAY_START <= t.hour < _DAY_END:
        return t  # the common case, and a hot path: no datetime arithmetic
    day_start = t.replace(hour=_DAY_START, minute=0, second=0, microsecond=0)
    if weekday < 5 and t.hour < _DAY_START:
        return day_start
    return day_start + _ONE_DAY * _DAYS_TO_NEXT_WORKDAY[weekday]


def _add_work(t: dt.datetime, hours: float) -> dt.datetime:
    """``t`` advanced by working hours, skipping nights and weekends, to the millisecond."""
    t = _next_work_moment(t)
    while True:
        # Hours left today, computed as timedelta.total_seconds() would: exactly the same float.
        micros = ((_DAY_END - t.hour) * 3600 - t.minute * 60 - t.second) * 10**6 - t.microsecond
        left = micros / 10**6 / 3600
        if hours < left:
            t += dt.timedelta(hours=hours)
            return t.replace(microsecond=t.microsecond // 1000 * 1000)
        hours -= left
        t = _next_work_moment(t.replace(hour=_DAY_END, minute=0, second=0, microsecond=0))


def _quarter_hours(hours: float) -> int:
    """Seconds, rounded to whole quarter hours as people log time, at least one quarter."""
    return max(1, round(hours * 4)) * 900


def username(display_name: str) -> str:
    """The login name a person has (and, at example.com, their mailbox): "mia.krystof"."""
    return display_name.lower().replace(" ", ".")


def _email(display_name: str) -> str:
    return f"{username(display_name)}@example.com"


def _quarter(t: dt.datetime) -> tuple[int, int]:
    return t.year, (t.month - 1) // 3


def _quarter_index(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _quarter_start(index: int) -> dt.date:
    return dt.date(index // 4, index % 4 * 3 + 1, 1)


def _expected_impact(epic: _Issue) -> float:
    """Impact (Business Value, else 1) x p_success of the tier the warehouse finds."""
    plan = epic.epic
    tier = plan.tier if plan.marked_by != "none" else "unclassified"
    return (epic.business_value or 1.0) * _P_SUCCESS[tier]


def _window_start(as_of: dt.date) -> dt.date:
    """First day of the quarter five quarters before ``as_of``'s: at least five full quarters."""
    return _quarter_start(_quarter_index(as_of) - 5)


# ---------------------------------------------------------------------------------------------
# Simulation state
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(eq=False, slots=True)
class _Epic:
    team: _Team
    tier: str
    marked_by: str
    reason: str
    flavour: str
    size: int  # children it will have once fully pulled
    cancel_after: int | None  # pulls after which the epic is dropped
    topic: str
    backlog: list[_Issue] = dataclasses.field(default_factory=list)
    pulled: int = 0
    cancel_at: dt.datetime | None = None
    planted: bool = False  # its history is written out event by event, not simulated


@dataclasses.dataclass(eq=False, slots=True)
class _Issue:
    seq: int
    kind: str
    project: dict
    summary: str
    created: dt.datetime
    reporter: dict
    state: dict  # values at creation: status, resolution, assignee, duedate, sprint, ...
    parent: _Issue | None
    components: list
    team_value: dict | None = None
    customer: str | None = None
    business_value: float | None = None
    epic: _Epic | None = None  # set on epics only
    points: float | None = None  # size decided at creation; recorded only by estimating teams
    # (time, author, ((field, new value), ...)), in any order; replayed sorted
    events: list = dataclasses.field(default_factory=list)
    children: list[_Issue] = dataclasses.field(default_factory=list)
    epic_link: _Issue | None = None
    links: list = dataclasses.field(default_factory=list)
    # filled in by _Builder.build
    id: str = ""
    key: str = ""
    final: dict = dataclasses.field(default_factory=dict)
    histories: list = dataclasses.field(default_factory=list)
    first_active: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    category_changed: dt.datetime | None = None
    updated: dt.datetime | None = None
    worklogs: list[dict] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False, slots=True)
class _Sprint:
    id: int
    name: str
    start: dt.datetime
    end: dt.datetime
    board_id: int
    goal: str


@dataclasses.dataclass(eq=False, slots=True)
class _Team:
    spec: _TeamSpec
    project: dict
    people: list[dict]
    manager: dict
    components: list[list]  # one shared one-element list per component
    team_value: dict
    targets: dict[str, float]
    sprints: list[_Sprint] = dataclasses.field(default_factory=list)
    open_epics: list[_Issue] = dataclasses.field(default_factory=list)
    board_id: int = 0
    effort: dict = dataclasses.field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(TIERS, 0.0))
    )


@dataclasses.dataclass(eq=False, slots=True)
class _Initiative:
    issue: _Issue
    tier: str | None
    opens: dt.datetime
    closes: dt.datetime | None
    epics: list[_Issue] = dataclasses.field(default_factory=list)


class _Builder:
    def __init__(self, seed: int, as_of: dt.date, scale: float) -> None:
        self.rng = random.Random(seed)
        self.extra = random.Random(f"{seed}/extras")  # for additions; see the module docstring
        self.planted_rng = random.Random(f"{seed}/planted")  # for the planted truths
        self.as_of = as_of
        self.scale = scale
        self.now = dt.datetime.combine(as_of, dt.time(_DAY_END), _UTC)
        self.start_date = _window_start(as_of)
        self._failed_quarter = _quarter_index(as_of) - _FAILED_MOONSHOT_QUARTERS_AGO
        rebalancing = _quarter_start(self._failed_quarter + 1)
        self._rebalancing = _quarter(dt.datetime.combine(rebalancing, dt.time(), _UTC))
        self.start = dt.datetime.combine(self.start_date, dt.time(_DAY_START), _UTC)
        self.issues: list[_Issue] = []
        self._items: dict[tuple, dict] = {}  # change items are immutable: share equal ones
        self._refs: dict[int, dict] = {}
        self._sprint_fields: dict[tuple[int, ...], list[dict] | None] = {}
        self._next_link_id = 10000
        self._lists: dict[tuple, list] = {}
        self.orphans: list[_Issue] = []
        self.noisy: list[_Issue] = []
        self.overrides: list[tuple[_Issue, str]] = []
        self._catalogue()
        self._people()
        self._teams()
        self._initiatives()

    # -- catalogue ---------------------------------------------------------------------------
    def _catalogue(self) -> None:
        rng = self.rng
        # Custom field ids differ per instance; discovery must go by name and schema.
        numbers = sorted(rng.sample(range(10000, 10400), len(_CUSTOM_FIELDS)))
        rng.shuffle(numbers)
        self.cf = {
            name: f"customfield_{n}"
            for (name, _, _), n in zip(_CUSTOM_FIELDS, numbers, strict=True)
        }
        fields = [
            {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": False,
                "orderable": orderable,
                "navigable": True,
                "searchable": schema is not None,
                "clauseNames": list(clauses),
                **({"schema": schema} if schema else {}),
            }
            for fid, name, schema, orderable, clauses in _SYSTEM_FIELDS
        ]
        fields += [{**field, "schema": dict(field["schema"])} for field in _TIME_TRACKING_FIELDS]
        parent_link = self.extra.choice([n for n in range(10000, 10400) if n not in numbers])
        self.cf[PARENT_LINK] = f"customfield_{parent_link}"
        taken = {*numbers, parent_link}
        business_value = self.planted_rng.choice([n for n in range(10000, 10400) if n not in taken])
        self.cf[BUSINESS_VALUE] = f"customfield_{business_value}"
        custom = [
            *_CUSTOM_FIELDS,
            (PARENT_LINK, _PARENT_LINK_SCHEMA, ()),
            (BUSINESS_VALUE, _BUSINESS_VALUE_SCHEMA, ("Business Value[Number]",)),
        ]
        ids = [*numbers, parent_link, business_value]
        for (name, schema, clauses), n in zip(custom, ids, strict=True):
            fid = f"customfield_{n}"
            fields.append(
                {
                    "id": fid,
                    "key": fid,
                    "name": name,
                    "custom": True,
                    "orderable": True,
                    "navigable": True,
                    "searchable": True,
                    "clauseNames": [f"cf[{n}]", name, *clauses],
                    "schema": {**schema, "customId": n},
                }
            )
        self.fields = fields
        categories = {
            key: {
                "self": f"{_API}/statuscategory/{cid}",
                "id": cid,
                "key": key,
                "colorName": colour,
                "name": name,
            }
            for key, (cid, colour, name) in _CATEGORIES.items()
        }
        self.statuses = {
            sid: {
                "self": f"{_API}/status/{sid}",
                "description": description,
                "iconUrl": f"{BASE_URL_PLACEHOLDER}/images/icons/statuses/generic.png",
                "name": name,
                "id": sid,
                "statusCategory": categories[category],
            }
            for sid, name, category, description in _STATUSES
        }
        self.resolutions = {
            rid: {"self": f"{_API}/resolution/{rid}", "id": rid, "description": text, "name": name}
            for rid, name, text in _RESOLUTIONS
        }
        self.priorities = {
            pid: {
                "self": f"{_API}/priority/{pid}",
                "iconUrl": f"{BASE_URL_PLACEHOLDER}/images/icons/priorities/{name.lower()}.svg",
                "name": name,
                "id": pid,
            }
            for pid, name in _PRIORITIES
        }
        self.issue_types = {
            name: {
                "self": f"{_API}/issuetype/{tid}",
                "id": tid,
                "description": text,
                "iconUrl": f"{BASE_URL_PLACEHOLDER}/images/icons/issuetypes/{tid}.svg",
                "name": name,
                "subtask": level == -1,
                "avatarId": 10300 + int(tid) % 100,
                "hierarchyLevel": level,
            }
            for name, (tid, level, text) in _ISSUE_TYPES.items()
        }

    def _user(self, display_name: str, email: str, *, account_id: str | None = None) -> dict:
        account_id = account_id or f"{self.rng.getrandbits(96):024x}"
        return {
            "self": f"{_API}/user?accountId={account_id}",
            "accountId": account_id,
            "emailAddress": email,
            "displayName": display_name,
            "active": True,
            "timeZone": USER_TIME_ZONE,
            "accountType": "atlassian",
        }

    def _people(self) -> None:
        rng = self.rng
        names = [f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES]
        rng.shuffle(names)
        self._names = iter(names)
        self.users: list[dict] = []
        self.head = self._new_person()
        self.myself = self._user("Portfolio Reporter", DEMO_EMAIL)
        self.users.append(self.myself)

    def _new_person(self) -> dict:
        name = next(self._names)
        user = self._user(name, _email(name))
        self.users.append(user)
        return user

    def _project(self, number: int, key: str, name: str) -> dict:
        pid = str(10000 + number)
        return {
            "self": f"{_API}/project/{pid}",
            "id": pid,
            "key": key,
            "name": name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    def _teams(self) -> None:
        rng = self.rng
        self.teams: list[_Team] = []
        component_id = 10000
        for number, spec in enumerate(_TEAM_SPECS):
            project = self._project(number, spec.key, spec.name)
            components = []
            for name in spec.components:
                components.append(
                    [
                        {
                            "self": f"{_API}/component/{component_id}",
                            "id": str(component_id),
                            "name": name,
                        }
                    ]
                )
                component_id += 1
            team_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            team = _Team(
                spec=spec,
                project=project,
                manager=self._new_person(),
                people=[self._new_person() for _ in range(max(1, round(spec.size * self.scale)))],
                components=components,
                targets=POSTURE_TARGETS[spec.posture],
                team_value={
                    "id": team_id,
                    "name": spec.name,
                    "title": spec.name,
                    "isShared": True,
                    "isVisible": True,
                    "isVerified": False,
                },
            )
            self.teams.append(team)
        self.team_by_key = {team.spec.key: team for team in self.teams}
        self.program = self._project(len(_TEAM_SPECS), _PROGRAM_KEY, _PROGRAM_NAME)
        self._sprints()

    def _sprints(self) -> None:
        """Two-week sprints for scrum teams, from the first Monday until two sprints past now."""
        first = self.start + dt.timedelta(days=(7 - self.start.weekday()) % 7)
        sprints = []
        for board_id, team in enumerate((t for t in self.teams if t.spec.scrum), start=1):
            begin, number = first, 1
            while begin < self.now + dt.timedelta(days=28):
                team.sprints.append(
                    _Sprint(
                        0,
                        f"{team.spec.key} Sprint {number}",
                        begin,
                        begin + dt.timedelta(days=14, hours=-1),
                        board_id,
                        f"Ship the next slice of {self.rng.choice(team.spec.topics)}",
                    )
                )
                sprints.append(team.sprints[-1])
                begin += dt.timedelta(days=14)
                number += 1
        first_id = self.rng.randint(20, 200)
        for offset, sprint in enumerate(sorted(sprints, key=lambda s: (s.start, s.board_id))):
            sprint.id = first_id + offset
        self.sprints = {s.id: s for s in sprints}

    def _initiatives(self) -> None:
        self.initiatives = []
        for summary, tier, opens, closes in _INITIATIVES:
            opened = _next_work_moment(
                self._months_later(opens) + dt.timedelta(hours=self.rng.uniform(0, 60))
            )
            closed = self._months_later(closes) if closes is not None else None
            issue = self._issue(
                "Initiative",
                self.program,
                summary,
                opened,
                self.head,
                None,
                [],
                labels=(TIER_LABELS[tier],) if tier else (),
                duedate=closed.date().isoformat() if closed else None,
                assignee=self.head["accountId"],
                priority="2",
            )
            self.initiatives.append(_Initiative(issue, tier, opened, closed))

    def _months_later(self, months: int) -> dt.datetime:
        index = self.start.year * 12 + self.start.month - 1 + months
        return self.start.replace(year=index // 12, month=index % 12 + 1)

    # -- issue construction ------------------------------------------------------------------
    def _issue(
        self,
        kind: str,
        project: dict,
        summary: str,
        created: dt.datetime,
        reporter: dict,
        parent: _Issue | None,
        components: list,
        *,
        labels: tuple[str, ...] = (),
        duedate: str | None = None,
        assignee: str | None = None,
        priority: str = "3",
        status: str = TODO,
    ) -> _Issue:
        issue = _Issue(
            seq=len(self.issues),
            kind=kind,
            project=project,
            summary=summary,
            created=created,
            reporter=reporter,
            parent=parent,
            components=components,
            state={
                "status": status,
                "resolution": None,
                "assignee": assignee,
                "duedate": duedate,
                "sprint": (),
                "points": None,
                "flagged": False,
                "labels": tuple(sorted(labels)),
                "priority": priority,
            },
        )
        if parent is not None:
            parent.children.append(issue)
        self.issues.append(issue)
        return issue

    def _leaf(
        self,
        team: _Team,
        kind: str,
        created: dt.datetime,
        parent: _Issue | None,
        topic: str,
        *,
        labelled: bool = True,
    ) -> _Issue:
        rng = self.rng
        if kind == "Bug":
            summary = f"{topic[0].upper()}{topic[1:]}: {rng.choice(_SYMPTOMS)}"
        elif kind == "Spike":
            summary = (
                f"Spike: {rng.choice(('evaluate', 'prototype', 'benchmark'))} "
                f"{rng.choice(_FRAGMENTS)} for {topic}"
            )
        elif kind == "Task":
            summary = (
                f"{rng.choice(('Set up', 'Clean up', 'Document', 'Automate'))} "
                f"{rng.choice(_FRAGMENTS)} for {topic}"
            )
        else:
            summary = (
                f"{rng.choice(('Add', 'Support', 'Improve', 'Expose', 'Instrument'))} "
                f"{rng.choice(_FRAGMENTS)} in {topic}"
            )
        labels = (rng.choice(_LEAF_LABELS),) if labelled and rng.random() < 0.3 else ()
        issue = self._issue(
            kind,
            team.project,
            summary,
            created,
            rng.choice([team.manager, *team.people]),
            parent,
            rng.choice(team.components),
            labels=labels,
            priority=rng.choices(
                ("2", "3", "4"), (0.35, 0.5, 0.15) if kind == "Bug" else (0.1, 0.7, 0.2)
            )[0],
            assignee=rng.choice(team.people)["accountId"] if rng.random() < 0.3 else None,
            status=BACKLOG if rng.random() < 0.3 else TODO,
        )
        if rng.random() < team.spec.team_field_share:
            issue.team_value = team.team_value
        if team.spec.key in ("PAY", "MOB") and rng.random() < 0.15:
            issue.customer = rng.choice(_CUSTOMERS)
        # Every item has a size; only teams that estimate record it (at creation or at planning).
        issue.points = float(rng.choices(*_POINTS)[0] if kind == "Story" else rng.choice((1, 2, 3)))
        if team.spec.story_points and rng.random() < 0.5:
            issue.state["points"] = issue.points
        return issue

    # -- epics -------------------------------------------------------------------------------
    def _new_epic(self, team: _Team, tier: str, t: dt.datetime, *, started: bool = True) -> _Issue:
        rng = self.rng
        created = _next_work_moment(max(self.start, t - dt.timedelta(days=rng.uniform(2, 15))))
        marked_by, reason, flavour, labels, initiative = self._marking(tier, created)
        (low, high), growth, cancel_chance = _EPIC_SHAPES[tier]
        initial = rng.randint(low, high)
        size = max(initial, round(initial * rng.uniform(*growth)))
        topic = rng.choice(team.spec.topics)
        summary = f"{rng.choice(_EPIC_VERBS[tier])} {topic}"
        if rng.random() < 0.3:
            summary += rng.choice((" (phase 2)", " v2", " for enterprise", " rollout"))
        due = None
        if rng.random() < 0.75:
            due = (_add_work(created, size * rng.uniform(8, 20))).date().isoformat()
        issue = self._issue(
            "Epic",
            team.project,
            summary,
            created,
            rng.choice((team.manager, self.head)),
            initiative.issue if initiative else None,
            rng.choice(team.components),
            labels=labels,
            duedate=due,
            assignee=team.people[0]["accountId"],
            priority=rng.choice(("2", "3", "3")),
        )
        if rng.random() < team.spec.team_field_share:
            issue.team_value = team.team_value
        issue.epic = _Epic(
            team,
            tier,
            marked_by,
            reason,
            flavour,
            size,
            rng.randint(math.ceil(size * 0.3), math.ceil(size * 0.7))
            if started and rng.random() < cancel_chance
            else None,
            topic,
        )
        if initiative:
            initiative.epics.append(issue)
        for index in range(initial):
            child_created = created + dt.timedelta(minutes=2 + index * rng.uniform(0.5, 3))
            issue.epic.backlog.append(self._epic_child(issue, index, child_created))
        if started:
            team.open_epics.append(issue)
        return issue

    def _marking(self, tier: str, created: dt.datetime):
        """How a tier is made visible: (marked_by, reason, flavour, labels, initiative)."""
        rng = self.rng
        open_now = [
            i
            for i in self.initiatives
            if i.opens <= created and (i.closes is None or created < i.closes)
        ]
        labelled = [i for i in open_now if i.tier == tier]
        unlabelled = [i for i in open_now if i.tier is None]
        roll = rng.random()
        if roll < 0.05:
            return (
                "none",
                "unclassified",
                "plain",
                (),
                rng.choice(unlabelled) if unlabelled and rng.random() < 0.5 else None,
            )
        if roll < 0.30 and labelled:
            # The reason gets the initiative's key once keys are assigned (see _truth).
            return "initiative_label", "inherited", tier, (), rng.choice(labelled)
        if roll < 0.52 and tier != "linear_bet":
            parent = rng.choice(unlabelled) if unlabelled and rng.random() < 0.5 else None
            heavy = "spike_heavy" if tier == "moonshot" else "bug_heavy"
            if rng.random() < 0.5:
                return "rule", f"rule:{heavy.replace('_', '-')}", heavy, (), parent
            label = "experiment" if tier == "moonshot" else "maintenance"
            return "rule", f"rule:label-{label}", tier, (label,), parent
        labels = (TIER_LABELS[tier],) + (("okr",) if rng.random() < 0.2 else ())
        # A few labelled epics sit under an initiative labelled otherwise: the epic's label wins.
        conflicting = [i for i in open_now if i.tier not in (None, tier)]
        if conflicting and rng.random() < 0.08:
            parent = rng.choice(conflicting)
        else:
            parent = rng.choice(unlabelled) if unlabelled and rng.random() < 0.5 else None
        return "label", f"label:{TIER_LABELS[tier]}", tier, labels, parent

    def _epic_child(self, epic: _Issue, index: int, created: dt.datetime) -> _Issue:
        plan = epic.epic
        heavy = _HEAVY_TYPE.get(plan.flavour)
        if heavy and index % 3 != 2:  # two in three children: "mostly" Spikes / Bugs
            kind = heavy
        else:
            kind = self.rng.choices(*_FLAVOUR_TYPES[plan.flavour])[0]
        # Children of unclassifiable epics carry no labels, so no rule can pick them up.
        return self._leaf(
            plan.team, kind, created, epic, plan.topic, labelled=plan.marked_by != "none"
        )

    def _pull_from(self, epic: _Issue, t: dt.datetime) -> _Issue:
        plan = epic.epic
        if plan.backlog:
            child = plan.backlog.pop(0)
        else:  # scope added after the start
            created = _next_work_moment(
                max(epic.created, t - dt.timedelta(hours=self.rng.uniform(1, 40)))
            )
            child = self._epic_child(epic, len(epic.children), min(created, t))
        plan.pulled += 1
        if plan.cancel_after is not None and plan.pulled >= plan.cancel_after:
            plan.cancel_at = _add_work(t, self.rng.uniform(4, 24))
            for dropped in plan.backlog:
                dropped.events.append(
                    (
                        plan.cancel_at,
                        plan.team.manager,
                        (("status", WONT_DO), ("resolution", RES_WONT_DO)),
                    )
                )
            plan.backlog.clear()
            plan.team.open_epics.remove(epic)
        elif plan.pulled >= plan.size:
            plan.team.open_epics.remove(epic)
        return child

    def _epic_for(self, team: _Team, tier: str, t: dt.datetime) -> _Issue:
        candidates = [e for e in team.open_epics if e.epic.tier == tier]
        limit = max(2, len(team.people) // 2)
        if not candidates or (len(candidates) < limit and self.rng.random() < 0.15):
            return self._new_epic(team, tier, t)
        return candidates[0] if self.rng.random() < 0.7 else self.rng.choice(candidates)

    def _tier_to_work_on(self, team: _Team, t: dt.datetime) -> str:
        """The tier furthest below its target share of this quarter's effort (sometimes random)."""
        targets = self._targets(team, t)
        if self.rng.random() < 0.2:
            return self.rng.choices(TIERS, [targets[tier] for tier in TIERS])[0]
        effort = team.effort[_quarter(t)]
        total = sum(effort.values()) + 8
        return max(TIERS, key=lambda tier: targets[tier] * total - effort[tier])

    def _targets(self, team: _Team, t: dt.datetime) -> dict[str, float]:
        """The shares a team aims for: after the planted failed moonshot, safer for a quarter."""
        if team.spec.key == _FAILED_MOONSHOT_TEAM and _quarter(t) == self._rebalancing:
            return _REBALANCED_TARGETS
        return team.targets

    # -- people at work ----------------------------------------------------------------------
    def _simulate(self) -> None:
        rng = self.rng
        people = [(team, person) for team in self.teams for person in team.people]
        queue = [
            (_next_work_moment(self.start + dt.timedelta(hours=rng.uniform(0, 72))), index)
            for index in range(len(people))
        ]
        heapq.heapify(queue)
        while queue:
            t, index = heapq.heappop(queue)
            if t >= self.now:
                continue
            team, person = people[index]
            heapq.heappush(queue, (self._next_piece_of_work(team, person, t), index))

    def _next_piece_of_work(self, team: _Team, person: dict, t: dt.datetime) -> dt.datetime:
        """Let ``person`` pick and do one item at ``t``; returns when they are free again."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.015:  # holiday
            return _add_work(t, rng.uniform(5, 10) * 8)
        if roll < 0.13:  # unplanned work: bugs and chores with no epic
            kind = rng.choices(("Bug", "Task"), (0.7, 0.3))[0]
            created = _next_work_moment(max(self.start, t - dt.timedelta(days=rng.uniform(0.1, 6))))
            item = self._leaf(team, kind, min(created, t), None, rng.choice(team.spec.topics))
            self.orphans.append(item)
            return self._work_on(item, team, person, t, None)
        helped = [other for other in self.teams if other is not team and other.open_epics]
        if roll < 0.16 and helped:  # helping another team on one of its epics
            epic = rng.choice(rng.choice(helped).open_epics)
            item = self._pull_from(epic, t)
            item.team_value = team.team_value
            self.overrides.append((item, team.spec.name))
        else:
            epic = self._epic_for(team, self._tier_to_work_on(team, t), t)
            item = self._pull_from(epic, t)
        # Effort on unclassifiable epics is invisible to the warehouse, so it must not count
        # towards the shares the posture steers by.
        visible_tier = None if epic.epic.marked_by == "none" else epic.epic.tier
        return self._work_on(item, team, person, t, visible_tier)

    def _work_on(
        self, item: _Issue, team: _Team, person: dict, start: dt.datetime, visible_tier: str | None
    ) -> dt.datetime:
        rng = self.rng
        if item.kind == "Story":
            days = _POINT_DAYS[int(item.points)]
        else:
            days = rng.uniform(*{"Task": (1, 3.5), "Bug": (0.5, 3), "Spike": (3, 7)}[item.kind])
        hours = 8 * days * rng.uniform(0.7, 1.4)
        if visible_tier is not None:
            team.effort[_quarter(start)][visible_tier] += hours
        item.events.append(
            (start, person, (("status", IN_PROGRESS), ("assignee", person["accountId"])))
        )
        end = self._active_stretch(item, person, start, hours)
        finisher = person
        if item.kind in ("Story", "Bug") and len(team.people) > 1 and rng.random() < 0.6:
            item.events.append((end, person, (("status", IN_REVIEW),)))
            finisher = rng.choice([p for p in team.people if p is not person])
            resolved = _add_work(end, rng.uniform(1, 12))
        else:
            resolved = end
        if rng.random() < 0.03:
            item.events.append(
                (resolved, team.manager, (("status", WONT_DO), ("resolution", RES_WONT_DO)))
            )
        else:
            item.events.append((resolved, finisher, (("status", DONE), ("resolution", RES_DONE))))
            if rng.random() < 0.05:  # reopened after a regression
                reopened = _add_work(resolved, rng.uniform(8, 80))
                item.events.append(
                    (reopened, item.reporter, (("status", IN_PROGRESS), ("resolution", None)))
                )
                item.events.append(
                    (
                        _add_work(reopened, rng.uniform(2, 8)),
                        person,
                        (("status", DONE), ("resolution", RES_DONE)),
                    )
                )
        # Sub-tasks would dilute the issue-type mix that rule-marked epics are recognised by.
        heavy_epic = item.parent is not None and item.parent.epic.flavour in _HEAVY_TYPE
        if item.kind == "Story" and not heavy_epic and rng.random() < 0.12:
            self._subtasks(item, person, start, end)
        owner = self.team_by_key[item.project["key"]]
        planned = owner.spec.scrum and self._plan_into_sprints(item, owner, start, resolved)
        if not planned and owner.spec.story_points and item.state["points"] is None:
            item.events.append((start, owner.manager, (("points", item.points),)))
        return _add_work(end, rng.uniform(0, 4))

    def _active_stretch(
        self, item: _Issue, person: dict, start: dt.datetime, hours: float
    ) -> dt.datetime:
        """Time In Progress, sometimes interrupted by a block; returns when work ends."""
        rng = self.rng
        if rng.random() >= 0.08:
            return _add_work(start, hours)
        before = hours * rng.uniform(0.2, 0.8)
        blocked_at = _add_work(start, before)
        unblocked_at = _add_work(blocked_at, rng.uniform(1, 5) * 8)
        if rng.random() < 0.5:
            item.events.append((blocked_at, person, (("status", BLOCKED),)))
            item.events.append((unblocked_at, person, (("status", IN_PROGRESS),)))
        else:
            item.events.append((blocked_at, person, (("flagged", True),)))
            item.events.append((unblocked_at, person, (("flagged", False),)))
        return _add_work(unblocked_at, hours - before)

    def _subtasks(self, story: _Issue, person: dict, start: dt.datetime, end: dt.datetime) -> None:
        rng = self.rng
        count = rng.randint(2, 3)
        step = (end - start) / count
        for index, summary in enumerate(rng.sample(_SUBTASK_SUMMARIES, count)):
            sub = self._issue(
                "Sub-task",
                story.project,
                summary,
                max(story.created, start - dt.timedelta(minutes=count - index)),
                person,
                story,
                story.components,
                assignee=person["accountId"],
            )
            sub.team_value = story.team_value
            begun = max(sub.created, start + step * index)
            sub.events.append((begun, person, (("status", IN_PROGRESS),)))
            sub.events.append(
                (
                    max(begun, start + step * (index + 1)),
                    person,
                    (("status", DONE), ("resolution", RES_DONE)),
                )
            )

    def _plan_into_sprints(
        self, item: _Issue, team: _Team, start: dt.datetime, resolved: dt.datetime
    ) -> bool:
        """Add to the sprint running at ``start``; carry over at each sprint end until resolved.

        Returns False for work started before the first sprint, which no sprint holds.
        """
        index = bisect.bisect_right([s.start for s in team.sprints], start) - 1
        if index < 0:
            return False
        sprint = team.sprints[index]
        planning = sprint.start - dt.timedelta(hours=1)
        # Picked early in the sprint: it was committed at planning; later: added mid-sprint.
        added = (
            planning
            if start - sprint.start < dt.timedelta(days=3) and item.created < planning
            else start - dt.timedelta(minutes=5)
        )
        added = max(added, item.created)
        changes = [("sprint", (sprint.id,))]
        if team.spec.story_points and item.state["points"] is None:
            changes.append(("points", item.points))
        if item.state["status"] == BACKLOG:
            changes.append(("status", TODO))
        item.events.append((added, team.manager, tuple(changes)))
        members = [sprint.id]
        while resolved > sprint.end and index + 1 < len(team.sprints) and sprint.end <= self.now:
            index += 1
            sprint = team.sprints[index]
            members.append(sprint.id)
            item.events.append(
                (
                    team.sprints[index - 1].end + dt.timedelta(minutes=3),
                    team.manager,
                    (("sprint", tuple(members)),),
                )
            )
        return True

    # -- the rest of the organisation --------------------------------------------------------
    def _planned_epics(self) -> None:
        """Epics created recently but not started, with their backlogs, for forecasting."""
        for team in self.teams:
            for _ in range(self.rng.randint(1, 2)):
                tier = self.rng.choices(TIERS, [team.targets[t] for t in TIERS])[0]
                epic = self._new_epic(
                    team, tier, self.now - dt.timedelta(days=self.rng.uniform(0, 10)), started=False
                )
                if team.spec.scrum:  # the top of the backlog is planned into the next sprint
                    upcoming = next(s for s in team.sprints if s.start > self.now)
                    planned_at = self.now - dt.timedelta(hours=20)
                    for child in epic.epic.backlog[:3]:
                        child.events.append(
                            (
                                max(planned_at, child.created),
                                team.manager,
                                (("sprint", (upcoming.id,)), ("status", TODO)),
                            )
                        )

    def _noisy_tickets(self) -> None:
        """Long-lived backlog tickets whose changelogs are mostly grooming churn."""
        rng = self.rng
        for team in rng.sample(self.teams, _NOISY_TICKETS):
            topic = rng.choice(team.spec.topics)
            created = _next_work_moment(self.start + dt.timedelta(days=rng.uniform(3, 20)))
            ticket = self._issue(
                "Bug",
                team.project,
                f"Umbrella: flaky {topic} tests keep failing CI",
                created,
                team.manager,
                None,
                rng.choice(team.components),
                labels=("flaky",),
                assignee=team.people[0]["accountId"],
                status=BACKLOG,
            )
            span = (self.now - dt.timedelta(days=1) - created).total_seconds()
            labels, status, priority = {"flaky"}, BACKLOG, "3"
            assignee = team.people[0]["accountId"]
            moments = sorted(rng.uniform(60, span) for _ in range(rng.randint(*_NOISY_HISTORIES)))
            for seconds in moments:
                at = created + dt.timedelta(seconds=round(seconds))
                author = rng.choice([team.manager, *team.people])
                roll = rng.random()
                others = [p["accountId"] for p in team.people if p["accountId"] != assignee]
                if roll < 0.45 or (0.65 <= roll < 0.8 and not others):
                    change = ("rank", rng.choice(("higher", "lower")))
                elif roll < 0.65:
                    label = rng.choice(_NOISY_LABELS[1:])
                    labels ^= {label}
                    change = ("labels", tuple(sorted(labels)))
                elif roll < 0.8:
                    assignee = rng.choice(others)
                    change = ("assignee", assignee)
                elif roll < 0.9:
                    priority = rng.choice([p for p in ("2", "3", "4") if p != priority])
                    change = ("priority", priority)
                else:
                    status = TODO if status == BACKLOG else BACKLOG
                    change = ("status", status)
                ticket.events.append((at, author, (change,)))
            self.noisy.append(ticket)

    def _epic_links(self) -> list[_Issue]:
        """The oldest epic of two teams also fills the legacy Epic Link, as after a migration."""
        chosen = []
        for team in self.rng.sample(self.teams, 2):
            epics = [i for i in self.issues if i.epic and i.epic.team is team]
            oldest = min(epics, key=lambda e: e.created)
            for child in oldest.children:
                child.epic_link = oldest
            chosen.append(oldest)
        return chosen

    def _link(self, blocker: _Issue, blocked: _Issue) -> None:
        """A "Blocks" link, seen from both ends: the blocker's outward, the blocked one's inward."""
        link_id = str(self._next_link_id)
        self._next_link_id += 1
        blocker.links.append((link_id, _BLOCKS, "outwardIssue", blocked))
        blocked.links.append((link_id, _BLOCKS, "inwardIssue", blocker))

    def _blocks_links(self, epics: list[_Issue]) -> None:
        """A few "Blocks" dependencies between overlapping epics of different teams."""
        rng = self.rng
        pairs: set[tuple[int, int]] = set()
        for _ in range(200):
            if len(pairs) >= max(4, round(5 * self.scale)):
                break
            blocker = rng.choice(epics)
            blocked = [
                e
                for e in epics
                if e.epic.team is not blocker.epic.team
                and abs((e.created - blocker.created).days) < 30
            ]
            if blocked:
                pairs.add((blocker.seq, rng.choice(blocked).seq))
        by_seq = {e.seq: e for e in epics}
        for outward, inward in sorted(pairs):
            self._link(by_seq[outward], by_seq[inward])

    def _story_blocks_links(self, issues: list[_Issue]) -> list[tuple[_Issue, _Issue]]:
        """Stories that started within days of another one being done: "is blocked by" it."""
        rng = self.extra
        started = sorted(
            (i for i in issues if i.kind == "Story" and i.first_active),
            key=lambda i: (i.first_active, i.seq),
        )
        starts = [i.first_active for i in started]
        done = [i for i in started if i.final["status"] == DONE]
        wanted, pairs = max(4, round(6 * self.scale)), []
        for _ in range(50 * wanted):
            if len(pairs) == wanted:
                break
            blocker = rng.choice(done)
            low = bisect.bisect_right(starts, blocker.resolved_at)
            high = bisect.bisect_right(starts, blocker.resolved_at + dt.timedelta(days=10))
            if low < high:
                pair = (blocker, started[rng.randrange(low, high)])
                if pair[1] is not blocker and pair not in pairs:
                    pairs.append(pair)
        for blocker, blocked in pairs:
            self._link(blocker, blocked)
        return pairs

    # -- planted truths ----------------------------------------------------------------------
    def _plant(self) -> None:
        """Epics written out event by event, each showing one fact of PlantedTruths."""
        mobile, payments, search = (
            self.team_by_key[k] for k in (_FAILED_MOONSHOT_TEAM, "PAY", "SRCH")
        )
        self.planted = {
            "failed_moonshot": self._plant_failed_moonshot(mobile),
            "scope_growth": self._plant_scope_growth(payments),
            "stale": self._plant_stale(payments),
            "blocked": self._plant_blocked(mobile),
            "mission_gap": self._plant_mission_gap(search),
        }

    def _plant_failed_moonshot(self, team: _Team) -> _Issue:
        """A moonshot begun early in its quarter and dropped three weeks before the quarter's end:
        four children done, one in progress, the rest never started."""
        quarter = _quarter_start(self._failed_quarter)
        epic = self._planted_epic(
            team,
            "moonshot",
            "Bet on offline mode: a local-first sync engine",
            "offline mode",
            self._day(quarter + dt.timedelta(days=2)),
            ("Spike", "Story", "Spike", "Story", "Story", "Task", "Story", "Story"),
            due=quarter + dt.timedelta(days=150),
        )
        first = self._day(quarter + dt.timedelta(days=7))
        self._start(epic, first)
        self._planted_run(epic.children[:4], first, self._day(quarter + dt.timedelta(days=55)))
        in_progress = self._day(quarter + dt.timedelta(days=60))
        self._planted_work(epic.children[4], self._member(team, 1), in_progress)
        dropped = self._day(quarter + dt.timedelta(days=70))
        self._drop([epic, *epic.children[4:]], dropped, team.manager)
        return epic

    def _plant_scope_growth(self, team: _Team) -> _Issue:
        """Six children when work began 60 days ago, ten now; nothing changed for eight days."""
        epic = self._planted_epic(
            team,
            "linear_bet",
            "Redesign checkout flow for enterprise",
            "checkout flow",
            self._days_ago(75),
            ("Story", "Story", "Task", "Story", "Story", "Task"),
            due=self.as_of + dt.timedelta(weeks=12),
        )
        first = self._days_ago(60)
        self._start(epic, first)
        for days_ago, kinds in ((45, ("Story", "Story")), (30, ("Story", "Task"))):
            for offset, kind in enumerate(kinds):  # scope added after the start
                self._planted_child(epic, kind, self._days_ago(days_ago) + offset * _ONE_MINUTE)
        self._planted_run(epic.children[:7], first, self._days_ago(12))
        self._planted_work(epic.children[7], self._member(team, 1), self._days_ago(8))
        return epic

    def _plant_stale(self, team: _Team) -> _Issue:
        """Three of five children done, the last 21 days ago; nothing since."""
        epic = self._planted_epic(
            team,
            "sure_thing",
            "Harden payout reconciliation",
            "payout reconciliation",
            self._days_ago(80),
            ("Story", "Task", "Story", "Task", "Story"),
            due=self.as_of + dt.timedelta(weeks=4),
        )
        first = self._days_ago(70)
        self._start(epic, first)
        self._planted_run(epic.children[:3], first, self._days_ago(21))
        return epic

    def _plant_blocked(self, team: _Team) -> _Issue:
        """A story blocked three days ago, and the epic flagged as impeded."""
        epic = self._planted_epic(
            team,
            "linear_bet",
            "Extend push notifications to the web app",
            "push notifications",
            self._days_ago(40),
            ("Story", "Story", "Story", "Task", "Story", "Story"),
            due=self.as_of + dt.timedelta(weeks=5),
        )
        first = self._days_ago(30)
        self._start(epic, first)
        self._planted_run(epic.children[:2], first, self._days_ago(14))
        story, person = epic.children[2], self._member(team, 1)
        self._planted_work(story, person, self._days_ago(12))
        blocked = self._days_ago(3)
        story.events.append((blocked, person, (("status", BLOCKED),)))
        epic.events.append((blocked + _ONE_MINUTE, team.manager, (("flagged", True),)))
        return epic

    def _plant_mission_gap(self, team: _Team) -> _Issue:
        """An epic of the mission's initiative: its last child done 45 days ago, four waiting.

        Nothing else changes on it either, so that no reading of the idle rule (section 4)
        credits its assignee with the epic itself."""
        initiative = next(i for i in self.initiatives if i.issue.summary == _GAP_INITIATIVE)
        epic = self._planted_epic(
            team,
            initiative.tier,
            "Prototype vector index for Aurora",
            "vector index",
            self._days_ago(110),
            ("Spike", "Story", "Story", "Spike", "Story", "Story", "Task"),
            due=self.as_of + dt.timedelta(weeks=8),
            initiative=initiative,
        )
        first = self._days_ago(100)
        self._start(epic, first)
        self._planted_run(epic.children[:3], first, self._days_ago(45))
        return epic

    def _planted_epic(
        self,
        team: _Team,
        tier: str,
        summary: str,
        topic: str,
        created: dt.datetime,
        kinds: tuple[str, ...],
        *,
        due: dt.date,
        initiative: _Initiative | None = None,
    ) -> _Issue:
        """An epic and its first children; the tier by label, or inherited from the initiative."""
        if initiative is None:
            marked_by, reason, labels = "label", f"label:{TIER_LABELS[tier]}", (TIER_LABELS[tier],)
        else:  # the reason gets the initiative's key once keys are assigned (see _truth)
            marked_by, reason, labels = "initiative_label", "inherited", ()
        epic = self._issue(
            "Epic",
            team.project,
            summary,
            created,
            team.manager,
            initiative.issue if initiative else None,
            team.components[0],
            labels=labels,
            duedate=due.isoformat(),
            assignee=team.people[0]["accountId"],
        )
        if self.planted_rng.random() < team.spec.team_field_share:
            epic.team_value = team.team_value
        epic.epic = _Epic(
            team, tier, marked_by, reason, tier, len(kinds), None, topic, planted=True
        )
        if initiative:
            initiative.epics.append(epic)
        for offset, kind in enumerate(kinds):
            self._planted_child(epic, kind, created + (2 + offset) * _ONE_MINUTE)
        return epic

    def _planted_child(self, epic: _Issue, kind: str, created: dt.datetime) -> _Issue:
        rng, plan = self.planted_rng, epic.epic
        team, what = plan.team, rng.choice(_FRAGMENTS)
        summary = (
            f"Spike: evaluate {what} for {plan.topic}"
            if kind == "Spike"
            else f"{rng.choice(('Add', 'Support', 'Expose'))} {what} in {plan.topic}"
        )
        child = self._issue(
            kind, team.project, summary, created, team.manager, epic, epic.components
        )
        if rng.random() < team.spec.team_field_share:
            child.team_value = team.team_value
        if team.spec.story_points:
            child.state["points"] = float(rng.choice((1, 2, 3, 5)))
        return child

    def _planted_run(self, children: list[_Issue], first: dt.datetime, done_by: dt.datetime):
        """Children done one after another, two working days each, by members in turn: the first
        begun at ``first``, the last done within two days before ``done_by``."""
        last = done_by - 4 * _ONE_DAY  # two working days take at most four days
        step = (last - first) / max(1, len(children) - 1)
        for index, child in enumerate(children):
            person = self._member(child.parent.epic.team, index + 1)
            self._planted_work(child, person, _next_work_moment(first + step * index), days=2)

    @staticmethod
    def _planted_work(
        issue: _Issue, person: dict, start: dt.datetime, days: float | None = None
    ) -> None:
        """``person`` takes ``issue`` In Progress; done after ``days`` working days, if given."""
        issue.events.append(
            (start, person, (("status", IN_PROGRESS), ("assignee", person["accountId"])))
        )
        if days is not None:
            done = (("status", DONE), ("resolution", RES_DONE))
            issue.events.append((_add_work(start, days * 8), person, done))

    @staticmethod
    def _start(epic: _Issue, at: dt.datetime) -> None:
        epic.events.append((at, epic.reporter, (("status", IN_PROGRESS),)))

    @staticmethod
    def _drop(issues: list[_Issue], at: dt.datetime, manager: dict) -> None:
        """The manager moves the issues to Won't Do."""
        for issue in issues:
            issue.events.append((at, manager, (("status", WONT_DO), ("resolution", RES_WONT_DO))))

    @staticmethod
    def _member(team: _Team, number: int) -> dict:
        return team.people[number % len(team.people)]

    def _day(self, day: dt.date, hour: int = 10) -> dt.datetime:
        """``day`` at ``hour`` UTC, or the start of the next working day after a weekend one."""
        return _next_work_moment(dt.datetime.combine(day, dt.time(hour), _UTC))

    def _days_ago(self, days: int) -> dt.datetime:
        """A working moment ``days`` days before ``as_of`` (up to two fewer, after a weekend)."""
        return self._day(self.as_of - dt.timedelta(days=days))

    def _business_values(self, epics: list[_Issue]) -> list[_Issue]:
        """Small Business Values on most epics; the two core epics, in progress in two teams,
        get values so large that together they hold more than half of all expected impact, while
        neither alone does. Returns the core epics."""
        rng = self.planted_rng
        for epic in epics:
            if rng.random() < 0.6:
                epic.business_value = float(rng.choice(_BUSINESS_VALUES))
        in_flight = [
            e for team in self.teams for e in team.open_epics if e.epic.marked_by != "none"
        ]
        first = rng.choice(in_flight)
        core = [first, rng.choice([e for e in in_flight if e.epic.team is not first.epic.team])]
        rest = sum(_expected_impact(e) for e in epics if e not in core)
        for epic in core:  # each holds 3/4 of the rest: 30% of all expected impact, and more
            value = 0.75 * rest / _P_SUCCESS[epic.epic.tier]
            epic.business_value = float(5 * math.ceil(value / 5))
        return core

    # -- time tracking -----------------------------------------------------------------------
    def _log_work(self, issues: list[_Issue]) -> None:
        """Worklogs by the assignee for the working days an issue was In Progress.

        Only teams that track time log work. Most people log once a day, and skip some days; the
        first member of each team logs every session, so that some long issues carry more
        worklogs than Jira embeds.
        """
        rng = self.extra
        diligent = {t.people[0]["accountId"] for t in self.teams if t.spec.logs_work}
        worklog_id = 10000
        for issue in issues:
            team = self.team_by_key.get(issue.project["key"])
            if team is None or not team.spec.logs_work or _ISSUE_TYPES[issue.kind][1] > 0:
                continue
            for start, end, account_id in self._in_progress_spans(issue):
                author = self._users_by_id[account_id]
                for started, seconds in self._sessions(start, end, account_id in diligent):
                    logged = started + dt.timedelta(seconds=seconds + rng.randint(60, 1200))
                    if logged > self.now:
                        break
                    worklog_id += 1
                    issue.worklogs.append(
                        self._worklog(worklog_id, issue, author, started, seconds, logged)
                    )
                    issue.updated = max(issue.updated, logged)  # logging work updates an issue

    def _in_progress_spans(self, issue: _Issue) -> list[tuple[dt.datetime, dt.datetime, str]]:
        """(from, to, assignee) for each stretch In Progress with an assignee, from its history."""
        status, assignee = issue.state["status"], issue.state["assignee"]
        spans, since = [], None
        for at, _, items in issue.histories:
            for item in items:
                if item["field"] == "assignee":
                    assignee = item["to"]
                elif item["field"] == "status":
                    status = item["to"]
            if status == IN_PROGRESS and since is None:
                since = (at, assignee)
            elif status != IN_PROGRESS and since is not None:
                spans.append((since[0], at, since[1]))
                since = None
        if since is not None:
            spans.append((since[0], self.now, since[1]))
        return [span for span in spans if span[2] is not None]

    def _sessions(self, start: dt.datetime, end: dt.datetime, diligent: bool):
        """(started, seconds) of the work sessions in [start, end), in quarter hours."""
        rng = self.extra
        t = _next_work_moment(start)
        while t < end:
            day_end = t.replace(hour=_DAY_END, minute=0, second=0, microsecond=0)
            hours = (min(day_end, end) - t).total_seconds() / 3600
            if diligent:
                while hours >= 0.5:
                    chunk = min(hours, rng.uniform(0.75, 2.5))
                    yield t.replace(second=0, microsecond=0), _quarter_hours(chunk)
                    t += dt.timedelta(hours=chunk)
                    hours -= chunk
            elif hours >= 0.25 and rng.random() < 0.8:
                yield (
                    t.replace(second=0, microsecond=0),
                    _quarter_hours(hours * rng.uniform(0.6, 1)),
                )
            t = _next_work_moment(day_end)

    def _worklog(
        self,
        worklog_id: int,
        issue: _Issue,
        author: dict,
        started: dt.datetime,
        seconds: int,
        logged: dt.datetime,
    ) -> dict:
        logged_text = format_jira_datetime(logged)
        return {
            "self": f"{_API}/issue/{issue.id}/worklog/{worklog_id}",
            "author": author,
            "updateAuthor": author,
            "created": logged_text,
            "updated": logged_text,
            "started": format_jira_datetime(started),
            "timeSpent": jira_duration(seconds),
            "timeSpentSeconds": seconds,
            "id": str(worklog_id),
            "issueId": issue.id,
        }

    # -- accounts and boards -----------------------------------------------------------------
    def _accounts(self) -> None:
        """Cloud hides the e-mail address of people who chose so; the site has more accounts
        than people doing the work: an automation app and a deactivated former colleague."""
        rng = self.extra
        app_id = f"557058:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        self.users.append(
            {
                "self": f"{_API}/user?accountId={app_id}",
                "accountId": app_id,
                "displayName": "Automation for Jira",
                "active": True,
                "accountType": "app",
            }
        )
        name = next(self._names)
        former = self._user(name, _email(name), account_id=f"{rng.getrandbits(96):024x}")
        former["active"] = False
        self.users.append(former)
        for user in self.users:
            if "emailAddress" in user and user is not self.myself and rng.random() < 0.4:
                del user["emailAddress"]

    def _boards(self) -> tuple[list[dict], dict[int, list[dict]]]:
        """One board per team: scrum boards (numbered as the sprints' boardId) before kanban."""
        teams = sorted(self.teams, key=lambda t: not t.spec.scrum)  # stable: spec order within
        boards, sprints = [], {}
        for board_id, team in enumerate(teams, start=1):
            project = team.project
            team.board_id = board_id
            boards.append(
                {
                    "id": board_id,
                    "self": f"{_AGILE}/board/{board_id}",
                    "name": f"{project['key']} board",
                    "type": "scrum" if team.spec.scrum else "kanban",
                    "location": {
                        "projectId": int(project["id"]),
                        "displayName": f"{project['name']} ({project['key']})",
                        "projectName": project["name"],
                        "projectKey": project["key"],
                        "projectTypeKey": project["projectTypeKey"],
                        "avatarURI": f"{BASE_URL_PLACEHOLDER}/secure/projectavatar?size=small"
                        f"&pid={project['id']}",
                        "name": f"{project['name']} ({project['key']})",
                    },
                }
            )
            if team.spec.scrum:
                sprints[board_id] = [self._agile_sprint(s) for s in team.sprints]
        return boards, sprints

    def _agile_sprint(self, sprint: _Sprint) -> dict:
        """A sprint as the agile API lists it, consistent with the Sprint field's value."""
        value = self._sprint_value(sprint)
        dates = {k: value[k] for k in ("startDate", "endDate", "completeDate") if k in value}
        return {
            "id": sprint.id,
            "self": f"{_AGILE}/sprint/{sprint.id}",
            "state": value["state"],
            "name": sprint.name,
            **dates,
            "originBoardId": sprint.board_id,
            "goal": sprint.goal,
        }

    # -- finalisation ------------------------------------------------------------------------
    def build(self) -> SandboxOrg:
        self._simulate()
        self._planned_epics()
        self._noisy_tickets()
        epic_link_epics = self._epic_links()
        self._blocks_links([i for i in self.issues if i.epic])
        self._plant()
        epics = [i for i in self.issues if i.epic]
        impact_core = self._business_values(epics)

        self._users_by_id = {u["accountId"]: u for u in self.users}
        self._user_names = {u["accountId"]: u["displayName"] for u in self.users}
        issues = sorted(self.issues, key=lambda i: (i.created, i.seq))
        numbers: dict[str, int] = defaultdict(int)
        for position, issue in enumerate(issues):
            numbers[issue.project["key"]] += 1
            issue.id = str(10000 + position)
            issue.key = f"{issue.project['key']}-{numbers[issue.project['key']]}"
        # Epics follow their children and initiatives their epics, so replay bottom-up.
        for level in (-1, 0, 1, 2):
            for issue in issues:
                if _ISSUE_TYPES[issue.kind][1] == level:
                    if level == 1 and not issue.epic.planted:
                        self._epic_lifecycle(issue)
                    elif level == 2:
                        self._initiative_lifecycle(issue)
                    self._replay(issue)
        story_links = self._story_blocks_links(issues)
        self._log_work(issues)
        self._accounts()
        boards, sprints = self._boards()

        beans, changelogs = [], Changelogs()
        history_id = 10001
        for rank, issue in enumerate(issues):
            changelogs.add(issue.id, history_id, tuple(issue.histories))
            history_id += len(issue.histories)
            beans.append(
                {
                    "expand": _ISSUE_EXPAND,
                    "id": issue.id,
                    "self": f"{_API}/issue/{issue.id}",
                    "key": issue.key,
                    "fields": self._fields(issue, rank),
                }
            )
        return SandboxOrg(
            fields=self.fields,
            statuses=list(self.statuses.values()),
            users=self.users,
            myself=self.myself,
            issues=beans,
            changelogs=changelogs,
            truth=self._truth(epics, epic_link_epics, story_links, impact_core),
            resolutions=list(self.resolutions.values()),
            worklogs={issue.id: issue.worklogs for issue in issues if issue.worklogs},
            boards=boards,
            sprints=sprints,
        )

    def _epic_lifecycle(self, epic: _Issue) -> None:
        plan, rng = epic.epic, self.rng
        children = epic.children
        started = [c.first_active for c in children if c.first_active]
        if started:
            epic.events.append((min(started), epic.reporter, (("status", IN_PROGRESS),)))
        if plan.cancel_at:
            epic.events.append(
                (
                    plan.cancel_at,
                    plan.team.manager,
                    (("status", WONT_DO), ("resolution", RES_WONT_DO)),
                )
            )
            finished = plan.cancel_at
        elif plan.pulled >= plan.size and all(c.resolved_at for c in children):
            finished = _add_work(max(c.resolved_at for c in children), rng.uniform(1, 30))
            epic.events.append(
                (finished, plan.team.manager, (("status", DONE), ("resolution", RES_DONE)))
            )
        else:
            finished = self.now
        due = epic.state["duedate"]
        for _ in range(3):  # due dates slip when the work runs late
            if due is None or dt.date.fromisoformat(due) >= finished.date() or rng.random() < 0.3:
                break
            slipped_at = _next_work_moment(
                dt.datetime.fromisoformat(due).replace(tzinfo=_UTC)
                + dt.timedelta(days=rng.uniform(1, 3))
            )
            due = (dt.date.fromisoformat(due) + dt.timedelta(days=rng.randint(14, 28))).isoformat()
            epic.events.append((slipped_at, plan.team.manager, (("duedate", due),)))

    def _initiative_lifecycle(self, issue: _Issue) -> None:
        initiative = next(i for i in self.initiatives if i.issue is issue)
        epics = initiative.epics
        started = [e.first_active for e in epics if e.first_active]
        if started:
            issue.events.append((min(started), self.head, (("status", IN_PROGRESS),)))
        if (
            initiative.closes
            and initiative.closes < self.now
            and epics
            and all(e.resolved_at for e in epics)
        ):
            done = _add_work(max(e.resolved_at for e in epics), self.rng.uniform(8, 40))
            issue.events.append((done, self.head, (("status", DONE), ("resolution", RES_DONE))))

    def _replay(self, issue: _Issue) -> None:
        """Apply events up to now in time order: histories with from/to, and final values."""
        state = dict(issue.state)
        issue.category_changed = issue.updated = issue.created
        for at, author, changes in sorted(issue.events, key=itemgetter(0)):
            if at > self.now:
                break
            items: list[dict] = []
            for field, new in changes:
                old = state.get(field)
                if field != "rank" and old == new:
                    continue
                state[field] = new
                items.append(self._item(field, old, new))
                if field == "status":
                    if _STATUS_CATEGORY[old] != _STATUS_CATEGORY[new]:
                        issue.category_changed = at
                    if new == IN_PROGRESS and issue.first_active is None:
                        issue.first_active = at
                    if _STATUS_CATEGORY[new] == "done":
                        issue.resolved_at = at
                    elif _STATUS_CATEGORY[old] == "done":
                        issue.resolved_at = None
            if items:
                issue.histories.append((at, author, tuple(items)))
                issue.updated = at
        issue.final = state
        issue.events = []  # replayed: let it go, for memory at large scales

    def _item(self, field: str, old, new) -> dict:
        key = (field, old, new)
        if key not in self._items:
            self._items[key] = self._render_item(field, old, new)
        return self._items[key]

    def _render_item(self, field: str, old, new) -> dict:
        jira = change_item

        def custom(name, old_id, old_text, new_id, new_text):
            return change_item(
                name, old_id, old_text, new_id, new_text, field_id=self.cf[name], custom=True
            )

        def sprints(ids):
            return (
                ", ".join(map(str, ids)) or None,
                ", ".join(self.sprints[i].name for i in ids) or None,
            )

        user_names = self._user_names
        if field == "status":
            return jira("status", old, self.statuses[old]["name"], new, self.statuses[new]["name"])
        if field == "resolution":
            return jira(
                "resolution",
                old,
                old and self.resolutions[old]["name"],
                new,
                new and self.resolutions[new]["name"],
            )
        if field == "assignee":
            return jira("assignee", old, user_names.get(old), new, user_names.get(new))
        if field == "priority":
            return jira(
                "priority", old, self.priorities[old]["name"], new, self.priorities[new]["name"]
            )
        if field == "duedate":
            return jira("duedate", old, old and f"{old} 00:00:00.0", new, f"{new} 00:00:00.0")
        if field == "labels":
            return jira("labels", None, " ".join(old), None, " ".join(new))
        if field == "sprint":
            return custom(SPRINT, *sprints(old), *sprints(new))
        if field == "points":
            return custom(STORY_POINTS, None, old and f"{old:g}", None, f"{new:g}")
        if field == "flagged":
            option = f"[{_FLAG_OPTION['id']}]"
            return custom(
                FLAGGED,
                option if old else None,
                _FLAG_OPTION["value"] if old else None,
                option if new else None,
                _FLAG_OPTION["value"] if new else None,
            )
        # A move in the backlog: Rank has no readable value of its own.
        return custom(RANK, "", "", "", f"Ranked {new}")

    def _ref(self, issue: _Issue) -> dict:
        """The compact form Jira embeds for parents, links and sub-tasks."""
        if issue.seq not in self._refs:
            self._refs[issue.seq] = {
                "id": issue.id,
                "key": issue.key,
                "self": f"{_API}/issue/{issue.id}",
                "fields": {
                    "summary": issue.summary,
                    "status": self.statuses[issue.final["status"]],
                    "priority": self.priorities[issue.final["priority"]],
                    "issuetype": self.issue_types[issue.kind],
                },
            }
        return self._refs[issue.seq]

    def _fields(self, issue: _Issue, rank: int) -> dict:
        state, cf = issue.final, self.cf
        in_done = _STATUS_CATEGORY[state["status"]] == "done"
        fields = {
            "summary": issue.summary,
            "issuetype": self.issue_types[issue.kind],
            "status": self.statuses[state["status"]],
            "statuscategorychangedate": format_jira_datetime(issue.category_changed),
            "project": issue.project,
            "priority": self.priorities[state["priority"]],
            "labels": self._interned(state["labels"]),
            "components": issue.components,
            "assignee": self._users_by_id.get(state["assignee"]),
            "reporter": issue.reporter,
            "creator": issue.reporter,
            "created": format_jira_datetime(issue.created),
            "updated": format_jira_datetime(issue.updated),
            "resolutiondate": format_jira_datetime(issue.resolved_at) if in_done else None,
            "resolution": self.resolutions.get(state["resolution"]),
            "duedate": state["duedate"],
            "issuelinks": [
                {
                    "id": link_id,
                    "self": f"{_API}/issueLink/{link_id}",
                    "type": link_type,
                    side: self._ref(other),
                }
                for link_id, link_type, side, other in issue.links
            ]
            or self._interned(()),
            "subtasks": [self._ref(c) for c in issue.children if c.kind == "Sub-task"]
            or self._interned(()),
        }
        if issue.parent is not None:  # absent rather than null on Cloud
            fields["parent"] = self._ref(issue.parent)
        fields[cf[STORY_POINTS]] = state["points"]
        fields[cf[STORY_POINT_ESTIMATE]] = None
        fields[cf[SPRINT]] = self._sprint_field(state["sprint"])
        fields[cf[TEAM]] = issue.team_value
        fields[cf[EPIC_LINK]] = issue.epic_link.key if issue.epic_link else None
        fields[cf[RANK]] = f"0|i{rank:05x}:"
        fields[cf[FLAGGED]] = [_FLAG_OPTION] if state["flagged"] else None
        fields[cf[CUSTOMER]] = issue.customer
        fields[cf[PARENT_LINK]] = None  # on Cloud, `parent` links epics to initiatives
        fields[cf[BUSINESS_VALUE]] = issue.business_value
        fields["timespent"] = sum(w["timeSpentSeconds"] for w in issue.worklogs) or None
        fields["worklog"] = (
            {
                "startAt": 0,
                "maxResults": WORKLOGS_EMBEDDED,
                "total": len(issue.worklogs),
                "worklogs": issue.worklogs[:WORKLOGS_EMBEDDED]
                if len(issue.worklogs) > WORKLOGS_EMBEDDED
                else issue.worklogs,
            }
            if issue.worklogs
            else _NO_WORKLOGS
        )
        return fields

    def _interned(self, values: tuple) -> list:
        """One list per distinct value (beans are read-only): most issues have equal ones."""
        return self._lists.setdefault(values, list(values))

    def _sprint_field(self, sprint_ids: tuple[int, ...]) -> list[dict] | None:
        """The Sprint field's value; equal values are shared, as they are immutable."""
        if sprint_ids not in self._sprint_fields:
            values = [self._sprint_value(self.sprints[s]) for s in sprint_ids]
            self._sprint_fields[sprint_ids] = values or None
        return self._sprint_fields[sprint_ids]

    def _sprint_value(self, sprint: _Sprint) -> dict:
        value = {
            "id": sprint.id,
            "name": sprint.name,
            "boardId": sprint.board_id,
            "goal": sprint.goal,
        }
        if sprint.end <= self.now:
            value.update(
                state="closed",
                startDate=_format_utc_z(sprint.start),
                endDate=_format_utc_z(sprint.end),
                completeDate=_format_utc_z(sprint.end + dt.timedelta(minutes=2)),
            )
        elif sprint.start <= self.now:
            value.update(
                state="active",
                startDate=_format_utc_z(sprint.start),
                endDate=_format_utc_z(sprint.end),
            )
        else:
            value["state"] = "future"
        return value

    def _planted_truths(self, impact_core: list[_Issue]) -> PlantedTruths:
        planted = {role: epic.key for role, epic in self.planted.items()}
        posture = {spec.posture: spec.name for spec in _TEAM_SPECS if spec.posture != "balanced"}
        failed = self.planted["failed_moonshot"]
        return PlantedTruths(
            risk_averse_team=posture["risk_averse"],
            too_bold_team=posture["too_bold"],
            balanced_team=_BALANCED_TEAM,
            scope_growth_at_risk_epic=planted["scope_growth"],
            stale_epic=planted["stale"],
            blocked_epic=planted["blocked"],
            failed_moonshot_epic=failed.key,
            failed_moonshot_team=failed.epic.team.spec.name,
            failed_moonshot_quarter=_quarter_start(self._failed_quarter),
            rebalancing_quarter=_quarter_start(self._failed_quarter + 1),
            gap_mission=_GAP_MISSION,
            gap_mission_initiative=self.planted["mission_gap"].parent.key,
            gap_mission_epic=planted["mission_gap"],
            impact_core_epics=frozenset(e.key for e in impact_core),
        )

    def _truth(
        self,
        epics: list[_Issue],
        epic_link_epics: list[_Issue],
        story_links: list[tuple[_Issue, _Issue]],
        impact_core: list[_Issue],
    ) -> OrgTruth:
        def outcome(issue: _Issue) -> str:
            status = issue.final["status"]
            return {DONE: "done", WONT_DO: "cancelled"}.get(status, "open")

        def reason(issue: _Issue) -> str:
            plan = issue.epic
            return (
                f"inherited:{issue.parent.key}"
                if plan.marked_by == "initiative_label"
                else plan.reason
            )

        return OrgTruth(
            as_of=self.as_of,
            now=self.now,
            window_start=self.start_date,
            program_project_key=_PROGRAM_KEY,
            teams={
                t.spec.name: TeamTruth(
                    project_key=t.spec.key,
                    posture=t.spec.posture,
                    target_shares=dict(t.targets),
                    team_field_id=t.team_value["id"],
                    scrum=t.spec.scrum,
                    story_points=t.spec.story_points,
                    member_account_ids=tuple(p["accountId"] for p in t.people),
                    logs_work=t.spec.logs_work,
                    board_id=t.board_id,
                    datacenter_team_id=str(number + 1),
                )
                for number, t in enumerate(self.teams)
            },
            epics={
                e.key: EpicTruth(
                    team=e.epic.team.spec.name,
                    tier=e.epic.tier,
                    marked_by=e.epic.marked_by,
                    reason=reason(e),
                    initiative=e.parent.key if e.parent else None,
                    outcome=outcome(e),
                )
                for e in epics
            },
            initiative_tiers={i.issue.key: i.tier for i in self.initiatives},
            orphan_keys=frozenset(i.key for i in self.orphans + self.noisy),
            noisy_issue_keys=tuple(i.key for i in self.noisy),
            epic_link_epics=tuple(e.key for e in epic_link_epics),
            performing_team_overrides={i.key: name for i, name in self.overrides},
            custom_field_ids=dict(self.cf),
            planted=self._planted_truths(impact_core),
            worklog_issue_keys=frozenset(i.key for i in self.issues if i.worklogs),
            story_block_links=tuple((a.key, b.key) for a, b in story_links),
        )
