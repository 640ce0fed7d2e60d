"""Read-only access to one Jira site through the pycontribs `jira` client.

Every failure leaves this module as a `JiraAccessError` whose message is one line naming the cause
and the fix. `JIRAError.__str__` embeds the request headers (the Authorization header included), so
no message here is ever built from it and errors are raised `from None`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from jira import JIRA, JIRAError

SEARCH_PAGE_SIZE = 100
CHANGELOG_PAGE_SIZE = 100

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

    def __post_init__(self) -> None:
        missing = [name for name in ("url", "email", "api_token") if not getattr(self, name)]
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


def quote_jql(value: str) -> str:
    """A JQL string literal: configured values can never change the query's structure."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def scope_jql(projects: tuple[str, ...], jql: str) -> str:
    """The extraction scope as JQL, ordered so that paging is stable while issues change."""
    clauses = []
    if projects:
        clauses.append(f"project in ({', '.join(quote_jql(key) for key in projects)})")
    if jql.strip():
        clauses.append(f"({jql.strip()})")
    if not clauses:
        raise JiraAccessError(
            "no extraction scope: set JIRA_PROJECTS (comma-separated project keys) or JIRA_JQL"
        )
    return " AND ".join(clauses) + " ORDER BY updated ASC, key ASC"


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

    def __init__(self, settings: JiraSettings):
        self.settings = settings
        self.client: JIRA = self._call(
            lambda: JIRA(
                server=settings.url,
                basic_auth=(settings.email, settings.api_token),
                max_retries=0,
                timeout=settings.timeout_seconds,
                options={"check_update": False},
                # the library's own error logs can carry response bodies; our errors say enough
                logging=False,
            ),
            "connecting",
        )

    @property
    def deployment_type(self) -> str:
        return self.client.deploymentType or "Server"

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
            raise JiraAccessError(
                f"Jira at {url} answered {action} with something that is not Jira's REST API "
                f"({type(error).__name__}): check that JIRA_URL is the site root"
            ) from None

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._call(lambda: self.client._get_json(path, params=params), f"reading {path}")

    def field_catalogue(self) -> list[dict]:
        return self._get("field")

    def statuses(self) -> list[dict]:
        return self._get("status")

    def all_project_keys(self) -> tuple[str, ...]:
        projects = self._call(self.client.projects, "listing projects")
        return tuple(sorted(project.key for project in projects))

    def scope(self) -> str:
        """The configured scope; with none configured, every project the user can browse."""
        projects, jql = self.settings.projects, self.settings.jql
        if not projects and not jql.strip():
            projects = self.all_project_keys()
        return scope_jql(projects, jql)

    def issue_pages(self, jql: str, fields: list[str]) -> Iterator[list[dict]]:
        """Pages of raw issues with their complete changelogs, in the order the JQL asks for."""
        token: str | None = None
        while True:
            page = self._call(
                lambda token=token: self.client.enhanced_search_issues(
                    jql,
                    nextPageToken=token,
                    maxResults=SEARCH_PAGE_SIZE,
                    fields=list(fields),
                    expand="changelog",
                    json_result=True,
                ),
                "searching issues",
            )
            issues = page.get("issues", [])
            for issue in issues:
                self._complete_changelog(issue)
            yield issues
            token = page.get("nextPageToken")
            if not token or page.get("isLast", False):
                return

    def _complete_changelog(self, issue: dict) -> None:
        """Search embeds only the first histories: page the rest in when `total` says so."""
        changelog = issue.setdefault("changelog", {"histories": [], "total": 0})
        histories = changelog.get("histories", [])
        total = changelog.get("total", len(histories))
        if len(histories) >= total:
            return
        histories = []
        while len(histories) < total:
            page = self._get(
                f"issue/{issue['id']}/changelog",
                {"startAt": len(histories), "maxResults": CHANGELOG_PAGE_SIZE},
            )
            values = page.get("values", [])
            histories.extend(values)
            if not values or page.get("isLast", False):
                break
        changelog.update(histories=histories, startAt=0, maxResults=len(histories))
