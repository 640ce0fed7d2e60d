"""Read-only access to one Jira site (Cloud or Data Center) through the pycontribs `jira` client.

The library provides the session, authentication, server detection and error parsing; requests go
through our `PolicyAdapter` (retries, rate cap) because the library's own retry is unsafe.

Every failure leaves this module as a `JiraAccessError` whose message is one line naming the cause
and the fix. `JIRAError.__str__` embeds the request headers (the Authorization header included), so
no message here is ever built from it and errors are raised `from None`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import requests
from jira import JIRA, JIRAError

from ingest.http_policy import Clock, PolicyAdapter, RequestStats, RetryPolicy
from ingest.jira_dates import parse_jira_datetime

SEARCH_PAGE_SIZE = 100
CHANGELOG_PAGE_SIZE = 100
BULK_CHANGELOG_ISSUES = 1000  # Cloud's bulkfetch limit per request
WORKLOG_PAGE_SIZE = 1000
AGILE_PAGE_SIZE = 50  # the agile API caps pages at 50
DEPLOYMENTS = ("auto", "cloud", "datacenter")

T = TypeVar("T")


class JiraAccessError(RuntimeError):
    """Jira could not be read; the message says why and what to change."""


@dataclass(frozen=True)
class JiraSettings:
    url: str
    email: str
    api_token: str = field(repr=False)
    projects: tuple[str, ...] = ()
    jql: str = ""
    timeout_seconds: float = 30.0
    # "auto" asks serverInfo; set it when a proxy hides the deployment type
    deployment: str = "auto"
    retry: RetryPolicy = RetryPolicy()
    workers: int = 4

    def __post_init__(self) -> None:
        missing = [name for name in ("url", "api_token") if not getattr(self, name)]
        if missing:
            env = ", ".join(f"JIRA_{name.upper()}" for name in missing)
            raise JiraAccessError(
                f"Jira connection is not configured: set {env} in the environment"
            )
        if not self.url.startswith(("http://", "https://")):
            raise JiraAccessError(
                f"JIRA_URL {self.url!r} is not an http(s) URL: "
                "set it to your site root, e.g. https://your-org.atlassian.net"
            )
        if self.deployment not in DEPLOYMENTS:
            raise JiraAccessError(
                f"JIRA_DEPLOYMENT {self.deployment!r} is unknown: "
                f"use one of {', '.join(DEPLOYMENTS)}"
            )

    @property
    def uses_bearer_token(self) -> bool:
        """Data Center personal access tokens go without an email; Cloud API tokens need one."""
        return not self.email


def quote_jql(value: str) -> str:
    """A JQL string literal: configured values can never change the query's structure."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def scope_clauses(projects: tuple[str, ...], jql: str) -> str:
    """The configured scope as a JQL condition (without ordering)."""
    clauses = []
    if projects:
        clauses.append(f"project in ({', '.join(quote_jql(key) for key in projects)})")
    if jql.strip():
        clauses.append(f"({jql.strip()})")
    if not clauses:
        raise JiraAccessError(
            "no extraction scope: set JIRA_PROJECTS (comma-separated project keys) or JIRA_JQL"
        )
    return " AND ".join(clauses)


ORDER = " ORDER BY updated ASC, key ASC"


def jql_minute(moment: datetime, zone: ZoneInfo) -> str:
    """`moment` as a JQL date literal, floored to the minute, in the Jira user's time zone.

    Jira reads zone-less JQL times in the user's profile zone with minute precision. In the hour a
    DST change repeats, a wall time is ambiguous, so we step back an hour: reading a little more is
    harmless (versions are deduplicated), reading less would lose issues.
    """
    local = moment.astimezone(zone).replace(second=0, microsecond=0)
    wall = local.replace(tzinfo=None)
    if (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    ):
        wall -= timedelta(hours=1)
    return f'"{wall:%Y/%m/%d %H:%M}"'


def _error_messages(error: JIRAError) -> str:
    """Jira's own explanation from the response body (errorMessages and errors), if any."""
    response = error.response
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    messages = list(body.get("errorMessages") or [])
    messages += [f"{key}: {text}" for key, text in (body.get("errors") or {}).items()]
    return "; ".join(str(message) for message in messages)


def _describe(error: JIRAError, url: str, action: str) -> str:
    status = error.status_code
    detail = _error_messages(error)
    suffix = f" (Jira says: {detail})" if detail else ""
    if status == 401:
        return (
            f"Jira at {url} rejected the credentials while {action} (HTTP 401): "
            "check JIRA_EMAIL and JIRA_API_TOKEN"
        )
    if status == 403:
        return (
            f"the Jira user lacks permission for {action} at {url} (HTTP 403){suffix}: "
            "grant it Browse Projects on the projects in scope"
        )
    if status == 404:
        return (
            f"Jira at {url} has no such resource while {action} (HTTP 404){suffix}: "
            "check that JIRA_URL is the site root and the project keys exist"
        )
    if status == 400:
        return f"Jira refused the request while {action} (HTTP 400){suffix}: check JIRA_JQL"
    return f"Jira at {url} failed while {action} (HTTP {status}){suffix}: try again later"


class JiraReader:
    """The calls the extraction needs, each translated into `JiraAccessError` on failure."""

    def __init__(self, settings: JiraSettings, *, clock: Clock | None = None):
        self.settings = settings
        self.adapter = PolicyAdapter(settings.retry, clock=clock, pool_size=settings.workers + 2)
        self.adapter.retry_unreachable = False
        self.client: JIRA = self._call(self._connect, "connecting")
        self.adapter.retry_unreachable = True
        self.is_cloud = (
            self.client.deploymentType == "Cloud"
            if settings.deployment == "auto"
            else settings.deployment == "cloud"
        )
        self.api = f"{settings.url}/rest/api/{3 if self.is_cloud else 2}"
        self._zone: ZoneInfo | None = None

    def _connect(self) -> JIRA:
        settings = self.settings
        auth: dict[str, Any] = (
            {"token_auth": settings.api_token}
            if settings.uses_bearer_token
            else {"basic_auth": (settings.email, settings.api_token)}
        )
        client = JIRA(
            server=settings.url,
            max_retries=0,
            timeout=settings.timeout_seconds,
            options={"check_update": False},
            # the library's own error logs can carry response bodies; our errors say enough
            logging=False,
            get_server_info=False,
            **auth,
        )
        for prefix in ("http://", "https://"):
            client._session.mount(prefix, self.adapter)
        serverinfo = client.server_info()
        client.deploymentType = serverinfo.get("deploymentType")
        client._version = tuple(serverinfo.get("versionNumbers", (0, 0, 0)))
        return client

    @property
    def stats(self) -> RequestStats:
        return self.adapter.stats

    @property
    def deployment_type(self) -> str:
        return "cloud" if self.is_cloud else "datacenter"

    def _call(self, request: Callable[[], T], action: str) -> T:
        url = self.settings.url
        try:
            return request()
        except JIRAError as error:
            raise JiraAccessError(_describe(error, url, action)) from None
        except requests.exceptions.Timeout:
            raise JiraAccessError(
                f"Jira at {url} did not answer within {self.settings.timeout_seconds:g}s while "
                f"{action}: check JIRA_URL or try again later"
            ) from None
        except requests.exceptions.ConnectionError:
            raise JiraAccessError(
                f"cannot reach Jira at {url} while {action}: check JIRA_URL and the network"
            ) from None
        except (requests.exceptions.RequestException, ValueError, KeyError) as error:
            # orjson.JSONDecodeError is a ValueError: an HTML page where JSON was expected
            raise JiraAccessError(
                f"Jira at {url} answered {action} with something that is not Jira's REST API "
                f"({type(error).__name__}): check that JIRA_URL is the site root"
            ) from None

    def _request(self, method: str, url: str, action: str, **kwargs: Any) -> Any:
        def send() -> Any:
            response = self.client._session.request(method, url, **kwargs)
            return orjson.loads(response.content)

        return self._call(send, action)

    def get(self, path: str, params: dict[str, Any] | None = None, *, base: str = "") -> Any:
        return self._request("GET", f"{base or self.api}/{path}", f"reading {path}", params=params)

    def post(self, path: str, body: dict[str, Any], *, action: str) -> Any:
        return self._request(
            "POST",
            f"{self.api}/{path}",
            action,
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )

    # -- catalogues ------------------------------------------------------------------------
    def field_catalogue(self) -> list[dict]:
        return self.get("field")

    def statuses(self) -> list[dict]:
        return self.get("status")

    def user_zone(self) -> ZoneInfo:
        """The Jira user's profile time zone: Jira reads zone-less JQL times in it."""
        if self._zone is None:
            name = self.get("myself").get("timeZone") or "UTC"
            try:
                self._zone = ZoneInfo(name)
            except ZoneInfoNotFoundError:
                raise JiraAccessError(
                    f"the Jira user's time zone {name!r} is unknown here: "
                    "install tzdata or set the user's time zone in Jira"
                ) from None
        return self._zone

    def all_project_keys(self) -> tuple[str, ...]:
        projects = self._call(self.client.projects, "listing projects")
        return tuple(sorted(project.key for project in projects))

    def scope_partitions(self) -> list[str]:
        """JQL conditions that together cover the scope, one per project, for parallel workers."""
        projects, jql = self.settings.projects, self.settings.jql
        if not projects and not jql.strip():
            projects = self.all_project_keys()
        if not projects:
            return [scope_clauses((), jql)]
        return [scope_clauses((key,), jql) for key in projects]

    # -- search ----------------------------------------------------------------------------
    def search_page(
        self,
        jql: str,
        fields: list[str],
        *,
        expand: str = "",
        token: str | None = None,
        start_at: int = 0,
    ) -> tuple[list[dict], str | None, bool]:
        """One page: (issues, Cloud's next page token, whether this was the last page)."""
        if self.is_cloud:
            body: dict[str, Any] = {"jql": jql, "maxResults": SEARCH_PAGE_SIZE, "fields": fields}
            if expand:
                body["expand"] = expand
            if token:
                body["nextPageToken"] = token
            page = self.post("search/jql", body, action="searching issues")
            token = page.get("nextPageToken")
            return page.get("issues", []), token, bool(page.get("isLast", not token))
        body = {"jql": jql, "startAt": start_at, "maxResults": SEARCH_PAGE_SIZE, "fields": fields}
        if expand:
            body["expand"] = [part for part in expand.split(",") if part]
        page = self.post("search", body, action="searching issues")
        issues = page.get("issues", [])
        return issues, None, not issues or start_at + len(issues) >= page.get("total", 0)

    def scan(
        self,
        condition: str,
        fields: list[str],
        *,
        since: datetime | None = None,
        expand: str = "changelog",
    ) -> Iterator[list[dict]]:
        """Every issue matching `condition` updated at or after `since`, page by page.

        Keyset paging: each query restarts at the minute of the last issue seen instead of at an
        offset, so an issue that changes (and moves to the end of the order) mid-scan cannot make
        another one slide past a page boundary unseen. Issues already returned at the boundary
        minute are filtered out; one changed mid-scan comes back later in its new version.
        """
        zone = self.user_zone()
        lower, seen_at_lower = since, set()
        while True:
            bounded = f"({condition})" + (
                f" AND updated >= {jql_minute(lower, zone)}" if lower else ""
            )
            token, start_at, fresh = None, 0, []
            # A page is usually fresh. Only when a whole page sits within the boundary minute do
            # we page on inside that query.
            while not fresh:
                issues, token, last = self.search_page(
                    bounded + ORDER, fields, expand=expand, token=token, start_at=start_at
                )
                start_at += len(issues)
                fresh = [issue for issue in issues if issue["id"] not in seen_at_lower]
                if last:
                    break
            if fresh:
                if "changelog" in expand:
                    self.complete_changelogs(fresh)
                self.complete_worklogs(fresh)
                yield fresh
            if last:
                return
            newest = _updated_minute(fresh[-1])
            if lower is None or newest > lower:
                lower, seen_at_lower = newest, set()
            seen_at_lower |= {i["id"] for i in fresh if _updated_minute(i) == lower}

    def list_ids(self, condition: str) -> Iterator[str]:
        """Ids of every issue matching `condition`, cheaply (no fields, no changelogs)."""
        for page in self.scan(condition, ["updated"], expand=""):
            yield from (issue["id"] for issue in page)

    # -- completing truncated embedded lists -------------------------------------------------
    def complete_changelogs(self, issues: list[dict]) -> None:
        """Search embeds only some histories: fetch the rest where `total` says so."""
        truncated = {
            issue["id"]: issue
            for issue in issues
            if len((issue.get("changelog") or {}).get("histories", []))
            < (issue.get("changelog") or {}).get("total", 0)
        }
        if not truncated:
            return
        if self.is_cloud:
            histories = self._bulk_changelogs(list(truncated))
        else:
            histories = {issue_id: self._issue_changelog(issue_id) for issue_id in truncated}
        for issue_id, issue in truncated.items():
            complete = sorted(
                histories.get(issue_id, []), key=lambda h: (h["created"], int(h["id"]))
            )
            issue["changelog"] = {
                "startAt": 0,
                "maxResults": len(complete),
                "total": len(complete),
                "histories": complete,
            }

    def _bulk_changelogs(self, issue_ids: list[str]) -> dict[str, list[dict]]:
        histories: dict[str, list[dict]] = {issue_id: [] for issue_id in issue_ids}
        for start in range(0, len(issue_ids), BULK_CHANGELOG_ISSUES):
            body: dict[str, Any] = {
                "issueIdsOrKeys": issue_ids[start : start + BULK_CHANGELOG_ISSUES]
            }
            while True:
                page = self.post("changelog/bulkfetch", body, action="fetching changelogs")
                for entry in page.get("issueChangeLogs", []):
                    histories.setdefault(str(entry["issueId"]), []).extend(
                        entry.get("changeHistories", [])
                    )
                token = page.get("nextPageToken")
                if not token:
                    break
                body["nextPageToken"] = token
        return histories

    def _issue_changelog(self, issue_id: str) -> list[dict]:
        return list(
            self._offset_pages(f"issue/{issue_id}/changelog", "values", CHANGELOG_PAGE_SIZE)
        )

    def complete_worklogs(self, issues: list[dict]) -> None:
        for issue in issues:
            embedded = (issue.get("fields") or {}).get("worklog")
            if isinstance(embedded, dict) and len(embedded.get("worklogs", [])) < embedded.get(
                "total", 0
            ):
                worklogs = list(
                    self._offset_pages(
                        f"issue/{issue['id']}/worklog", "worklogs", WORKLOG_PAGE_SIZE
                    )
                )
                issue["fields"]["worklog"] = {
                    "startAt": 0,
                    "maxResults": len(worklogs),
                    "total": len(worklogs),
                    "worklogs": worklogs,
                }

    def _offset_pages(self, path: str, key: str, size: int, *, base: str = "") -> Iterator[dict]:
        """Items of a startAt/maxResults-paged resource, until it says last or runs dry."""
        start_at = 0
        while True:
            page = self.get(path, {"startAt": start_at, "maxResults": size}, base=base)
            values = page.get(key, [])
            yield from values
            start_at += len(values)
            total = page.get("total")
            if not values or page.get("isLast") or (total is not None and start_at >= total):
                return

    # -- agile -----------------------------------------------------------------------------
    def boards_and_sprints(self) -> tuple[list[dict], list[dict]]:
        """Every board and its sprints; ([], []) where Jira Software's agile API is absent."""
        agile = f"{self.settings.url}/rest/agile/1.0"
        try:
            boards = list(self._offset_pages("board", "values", AGILE_PAGE_SIZE, base=agile))
        except JiraAccessError as error:
            if "HTTP 404" in str(error):
                return [], []
            raise
        sprints = []
        for board in boards:
            if board.get("type") != "scrum":
                continue  # kanban boards answer 400 to the sprint resource
            for sprint in self._offset_pages(
                f"board/{board['id']}/sprint", "values", AGILE_PAGE_SIZE, base=agile
            ):
                sprints.append({**sprint, "boardId": board["id"]})
        return boards, sprints


def _updated_minute(issue: dict) -> datetime:
    updated = parse_jira_datetime(issue["fields"]["updated"])
    return updated.replace(second=0, microsecond=0)
