"""The issues as the sandbox serves them: searchable by JQL, and changeable by tests.

The generated ``SandboxOrg`` is never modified (tests share one between servers): a change makes a
new bean and a new history beside the generated ones. Nothing once handed out is edited in place,
so a response built under ``lock`` may be serialised after the lock is released, and a bean's
identity tells whether it changed.

Searching is cheap for the queries a client repeats: results are cached per query text, and per
query less its `updated` clauses (its *base*) in query order. A query ordered by `updated` first,
as keyset paging is (`... AND updated >= "2026/10/30 14:05" ORDER BY updated ASC, key ASC`, each
page a new query), is then a binary search in its base's result. Any change clears both caches.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import enum
import operator
import threading
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from ingest.sandbox import jql
from ingest.sandbox.generator import SandboxOrg, change_item, format_jira_datetime, gc_paused

_QUERY_CACHE_SIZE = 64  # results per query text, and per query base


@dataclasses.dataclass(frozen=True, slots=True)
class _Ordered:
    """The issues matching a query base, in query order, with their `updated` in that order."""

    positions: list[int]
    updated_ms: list[int]


class Unchanged(enum.Enum):
    """The default of `update_issue` arguments whose None means "clear"."""

    UNCHANGED = enum.auto()


UNCHANGED = Unchanged.UNCHANGED


def epoch_ms(jira_datetime: str) -> int:
    return round(dt.datetime.fromisoformat(jira_datetime).timestamp() * 1000)


class IssueStore:
    def __init__(self, org: SandboxOrg) -> None:
        self.org = org
        self.lock = threading.RLock()
        self.now = org.truth.now
        self.beans: list[dict | None] = list(org.issues)  # by position; None once deleted
        self._rows: list[jql.IssueRow | None] = []
        self._positions: dict[str, int] = {}  # upper-cased key (moved-away keys too) or id
        self._issue_keys: dict[str, str] = {}  # what JQL's key clause resolves: these, to a key
        self.projects: dict[str, dict] = {}
        self._last_numbers: dict[str, int] = {}  # per project key: numbers are never reused
        projects, issue_types = {}, {}
        with gc_paused():
            for position, issue in enumerate(org.issues):
                fields = issue["fields"]
                project, issue_type = fields["project"], fields["issuetype"]
                number = int(issue["key"].rsplit("-", 1)[1])
                last = self._last_numbers.get(project["key"], 0)
                self._last_numbers[project["key"]] = max(last, number)
                self._rows.append(
                    jql.IssueRow(
                        position=position,
                        id=int(issue["id"]),
                        key=issue["key"],
                        project_key=project["key"],
                        number=number,
                        issue_type=issue_type["name"],
                        created_ms=epoch_ms(fields["created"]),
                        updated_ms=epoch_ms(fields["updated"]),
                    )
                )
                for reference in (issue["key"].upper(), issue["id"]):
                    self._positions[reference] = position
                    self._issue_keys[reference] = issue["key"]
                self.projects[project["key"]] = project
                for name in (project["key"], project["name"], project["id"]):
                    projects[name.lower()] = project["key"]
                for name in (issue_type["name"], issue_type["id"]):
                    issue_types[name.lower()] = issue_type["name"]
        self.catalog = jql.Catalog(
            projects=projects,
            issue_types=issue_types,
            issues=self._issue_keys,
            time_zone=ZoneInfo(org.myself["timeZone"]),
        )
        self._cache: dict[tuple[str, bool], list[int]] = {}
        self._bases: dict[tuple, _Ordered] = {}
        # Told the ids of the issues a change touched (changed, moved or deleted), under `lock`.
        self.on_change: Callable[[Iterable[str]], None] | None = None
        self._new_histories: dict[str, list[dict]] = {}  # issue id -> histories added by changes
        self._next_history_id: int | None = None
        self._users = {user["accountId"]: user for user in org.users}
        self._statuses = {}
        for status in org.statuses:
            self._statuses[status["id"]] = self._statuses[status["name"].lower()] = status

    # -- reading -----------------------------------------------------------------------------
    def find(self, text: str, *, bounded: bool = True) -> list[int]:
        """Positions of the matching issues, in query order; raises ``jql.JqlError``."""
        with self.lock:
            cached = self._cache.get((text, bounded))
            if cached is None:
                query = jql.compile_query(text, self.catalog, bounded=bounded)
                cached = _put(self._cache, (text, bounded), self._select(query))
            return cached

    def _select(self, query: jql.Query) -> list[int]:
        """The query's base result (cached) narrowed to its range of `updated`."""
        base = self._bases.get(query.base)
        if base is None:
            rows = [row for row in self._rows if row is not None and query.base_matches(row)]
            rows = query.sort(rows)
            ordered = _Ordered([row.position for row in rows], [row.updated_ms for row in rows])
            base = _put(self._bases, query.base, ordered)
        low, high = query.updated_range
        if low is None and high is None:
            return base.positions
        first = query.order_by[0]
        if first[0] != "updated":
            return [
                position
                for position, updated in zip(base.positions, base.updated_ms, strict=True)
                if (low is None or updated >= low) and (high is None or updated <= high)
            ]
        updated, key = base.updated_ms, None
        if first[1]:  # descending: search by -updated, which ascends
            low, high = (None if high is None else -high), (None if low is None else -low)
            key = operator.neg
        start = 0 if low is None else bisect.bisect_left(updated, low, key=key)
        stop = len(updated) if high is None else bisect.bisect_right(updated, high, key=key)
        return base.positions[start:stop]

    def resolve(self, reference: str) -> dict | None:
        """The live issue with this id or key; a key it was moved away from still finds it."""
        position = self._positions.get(reference.upper())
        return None if position is None else self.beans[position]

    def histories(self, issue_id: str) -> list[dict]:
        """Every history of an issue, oldest first, as a new list."""
        return [*self.org.changelogs.get(issue_id, ()), *self._new_histories.get(issue_id, ())]

    def worklogs(self, issue_id: str) -> list[dict]:
        return self.org.worklogs.get(issue_id, [])

    # -- changing ----------------------------------------------------------------------------
    def update_issue(
        self,
        reference: str,
        *,
        summary: str | None = None,
        status: str | None = None,
        labels: list[str] | None = None,
        assignee: str | None | Unchanged = UNCHANGED,
    ) -> dict:
        """Change fields as a user would; returns the new bean. ``status`` is a name or an id,
        ``assignee`` an account id or None (unassigned)."""
        with self.lock:
            position = self._position(reference)
            bean = self.beans[position]
            fields = dict(bean["fields"])
            items = []
            if summary is not None and summary != fields["summary"]:
                items.append(change_item("summary", None, fields["summary"], None, summary))
                fields["summary"] = summary
            if status is not None:
                items += self._change_status(fields, status)
            if labels is not None and sorted(labels) != fields["labels"]:
                new_labels = sorted(labels)
                old_text, new_text = " ".join(fields["labels"]), " ".join(new_labels)
                items.append(change_item("labels", None, old_text, None, new_text))
                fields["labels"] = new_labels
            if assignee is not UNCHANGED:
                items += self._change_assignee(fields, assignee)
            return self._commit(position, {**bean, "fields": fields}, items)

    def _change_status(self, fields: dict, status: str) -> list[dict]:
        new = self._statuses.get(status) or self._statuses.get(status.lower())
        if new is None:
            raise ValueError(f"no status {status!r} in the sandbox")
        old = fields["status"]
        if new["id"] == old["id"]:
            return []
        items = [change_item("status", old["id"], old["name"], new["id"], new["name"])]
        fields["status"] = new
        old_category, new_category = old["statusCategory"]["key"], new["statusCategory"]["key"]
        if old_category != new_category:
            fields["statuscategorychangedate"] = format_jira_datetime(self.now)
        if new_category == "done" and old_category != "done":
            # Resolved as the status says ("Won't Do"), else plainly "Done".
            names = {r["name"]: r for r in self.org.resolutions}
            resolution = names.get(new["name"]) or names["Done"]
            items.append(
                change_item("resolution", None, None, resolution["id"], resolution["name"])
            )
            fields["resolution"] = resolution
            fields["resolutiondate"] = format_jira_datetime(self.now)
        elif old_category == "done" and new_category != "done":
            old_resolution = fields["resolution"]
            items.append(
                change_item("resolution", old_resolution["id"], old_resolution["name"], None, None)
            )
            fields["resolution"] = fields["resolutiondate"] = None
        return items

    def _change_assignee(self, fields: dict, account_id: str | None) -> list[dict]:
        if account_id is not None and account_id not in self._users:
            raise ValueError(f"no user with account id {account_id!r} in the sandbox")
        old = fields["assignee"]
        if (old or {}).get("accountId") == account_id:
            return []
        new = self._users.get(account_id)
        fields["assignee"] = new
        return [
            change_item(
                "assignee",
                old and old["accountId"],
                old and old["displayName"],
                account_id,
                new and new["displayName"],
            )
        ]

    def delete_issue(self, reference: str) -> None:
        """Delete an issue and, as Jira does, its sub-tasks."""
        with self.lock:
            position = self._position(reference)
            subtasks = [s["id"] for s in self.beans[position]["fields"]["subtasks"]]
            doomed = [position, *(self._positions[s] for s in subtasks if s in self._positions)]
            ids = [self.beans[gone]["id"] for gone in doomed]
            for gone in doomed:
                for reference in [r for r, p in self._positions.items() if p == gone]:
                    del self._positions[reference], self._issue_keys[reference]
                self.beans[gone] = self._rows[gone] = None
            self._changed(ids)

    def move_issue(self, reference: str, project_key: str) -> str:
        """Move an issue to another project: a new key, the same id; returns the new key.

        The old key keeps resolving, on issue endpoints and in JQL, as Jira's redirect does.
        """
        with self.lock:
            position = self._position(reference)
            bean = self.beans[position]
            fields = dict(bean["fields"])
            project = self.projects.get(project_key.upper())
            if project is None:
                raise ValueError(f"no project {project_key!r} in the sandbox")
            if project is fields["project"]:
                return bean["key"]
            if fields["subtasks"] or fields["issuetype"]["subtask"]:
                raise ValueError("the sandbox moves only issues without sub-tasks")
            number = self._last_numbers[project["key"]] = self._last_numbers[project["key"]] + 1
            new_key, old_project = f"{project['key']}-{number}", fields["project"]
            items = [
                change_item("Key", None, bean["key"], None, new_key, field_id="issuekey"),
                change_item(
                    "project",
                    old_project["id"],
                    old_project["name"],
                    project["id"],
                    project["name"],
                ),
            ]
            fields["project"] = project
            for old_reference in [r for r, key in self._issue_keys.items() if key == bean["key"]]:
                self._issue_keys[old_reference] = new_key
            self._issue_keys[new_key] = new_key
            self._positions[new_key] = position
            self._rows[position] = dataclasses.replace(
                self._rows[position], key=new_key, project_key=project["key"], number=number
            )
            self._commit(position, {**bean, "key": new_key, "fields": fields}, items)
            return new_key

    def _position(self, reference: str) -> int:
        position = self._positions.get(reference.upper())
        if position is None:
            raise KeyError(f"no issue {reference!r} in the sandbox")
        return position

    def _commit(self, position: int, bean: dict, items: list[dict]) -> dict:
        """Publish ``bean`` (a fresh copy, fields included) with a history of ``items``, now."""
        if not items:
            return self.beans[position]
        now = format_jira_datetime(self.now)
        bean["fields"]["updated"] = now
        if self._next_history_id is None:
            changelogs = self.org.changelogs
            ids = (int(h["id"]) for i in changelogs for h in changelogs[i][-1:])
            self._next_history_id = max(ids, default=10000) + 1
        history = {
            "id": str(self._next_history_id),
            "author": self.org.myself,
            "created": now,
            "items": items,
        }
        self._next_history_id += 1
        self._new_histories.setdefault(bean["id"], []).append(history)
        self.beans[position] = bean
        self._rows[position] = dataclasses.replace(self._rows[position], updated_ms=epoch_ms(now))
        self._changed([bean["id"]])
        return bean

    def _changed(self, issue_ids: list[str]) -> None:
        """Forget what the change may have made stale: every search result, and (``on_change``)
        what was rendered of these issues."""
        self._cache.clear()
        self._bases.clear()
        if self.on_change is not None:
            self.on_change(issue_ids)


def _put(cache: dict, key: object, value: object) -> object:
    """Add to a cache of at most _QUERY_CACHE_SIZE entries, the oldest making way; returns value."""
    if len(cache) >= _QUERY_CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = value
    return value
