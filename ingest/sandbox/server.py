"""A local stand-in for Jira's REST APIs, Cloud or Data Center, on the standard library.

It serves a ``SandboxOrg`` in the shapes of Atlassian's published OpenAPI descriptions, as strictly
as the real thing, so that client code that works here works against Jira:

- Cloud (the default): basic auth with e-mail and API token; token-paged `search/jql` that refuses
  unbounded JQL and returns short pages now and then; the removed `search` answers 410; embedded
  changelogs truncated; the changelog, bulk changelog, worklog and user endpoints paged.
- Data Center 9: v2 only; basic auth or a personal access token as a bearer token; the classic
  `search` paged by `startAt` within a 10,000-result window; the DC dialect of issues (see
  ``datacenter``); complete embedded changelogs and no changelog endpoint.
- Both: the agile board and sprint lists, issue and worklog endpoints.

Tests can move the clock, change, delete and move issues, inject faults (error statuses with
rate-limit headers, delays, connection resets), hook actions to requests, and add latency.

Serving is cheap enough that a benchmark of a client measures the client: each issue is serialised
once per variant (field selection, embedded changelog or not, API version, base URL) and reused
until it changes, a page is those bytes joined, and searches are cached and indexed (see ``store``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import re
import socket
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qs, urlsplit

import orjson

from ingest.sandbox import jql
from ingest.sandbox.datacenter import DataCenterView
from ingest.sandbox.faults import Fault, FaultPlan
from ingest.sandbox.generator import (
    BASE_URL_PLACEHOLDER,
    DEMO_EMAIL,
    SandboxOrg,
    format_jira_datetime,
    generate_org,
)
from ingest.sandbox.store import UNCHANGED, IssueStore, Unchanged, epoch_ms

DEMO_API_TOKEN = "sandbox-token"
_CLOUD_VERSION = ("1001.0.0-SNAPSHOT", [1001, 0, 0], 100300)
_DATACENTER_VERSION = ("9.12.0", [9, 12, 0], 912000)
_SCM_INFO = hashlib.sha1(b"jira-sandbox v0").hexdigest()
_HISTORY_PAGE_CAP = 100  # the issue changelog endpoint never returns more per page
_BULK_ISSUES_CAP = 1000  # issues per bulk changelog request
_BULK_PAGE_CAP = 1000  # histories per bulk changelog page
_AGILE_PAGE_CAP = 50
_USER_PAGE_CAP = 1000
_WORKLOG_PAGE_CAP = 5000
_SHORT_PAGE_EVERY = 3  # Cloud's search/jql returns every third page short (never the first)
RESULT_WINDOW = 10_000  # Data Center's search serves results up to this index
_INVALID_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."
SEARCH_REMOVED_MESSAGE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_NO_ISSUE = "Issue does not exist or you do not have permission to see it."
_MALFORMED = object()  # a request body that is not JSON
_RENDER_CACHE_BYTES = 1024 * 1024 * 1024  # *all with changelogs: ~6 KiB an issue, 650 MiB at 100k
_PLACEHOLDER = BASE_URL_PLACEHOLDER.encode()
_PLACEHOLDER_API = f"{BASE_URL_PLACEHOLDER}/rest/api/3/".encode()


class RequestRecord(NamedTuple):
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict | None
    status: int  # 0: the connection was reset without an answer
    at: float = 0.0  # time.monotonic() when the request arrived
    # As sent, except Authorization: only its scheme ("Basic", "Bearer"), never the credentials.
    headers: Mapping[str, str] = MappingProxyType({})


class _ClientError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Reply(NamedTuple):
    status: int
    payload: bytes
    content_type: str = "application/json;charset=UTF-8"
    headers: Mapping[str, str] = MappingProxyType({})


class _Serialised(list):
    """A JSON array whose elements are already serialised (bytes) and pointed at the server."""


def _dumps(value: Any) -> bytes:
    """``json.dumps(value, separators=(",", ":"), ensure_ascii=False)`` in UTF-8, by orjson.

    The two agree byte for byte on what the sandbox serves: string keys in insertion order, str,
    int, bool, None, and floats that are whole numbers (story points); see the tests. What orjson
    refuses (e.g. a lone surrogate, an int beyond 64 bits) goes to the standard library.
    """
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class _Rendered:
    """Issues serialised as served, per issue id and variant, reused until the issue changes.

    A variant is what else shapes the bytes: field selection, embedded changelog or not, API
    version, base URL, changelog cap. Entries are dropped when the store reports a change to the
    issue, and are only served for the very bean they were rendered from (a change publishes a new
    bean, never edits one), so a stale rendering cannot be served. Beyond ``max_bytes`` the issues
    rendered first are forgotten first.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        # issue id -> (bean, {variant: bytes}), oldest first (an OrderedDict pops that in O(1))
        self._entries: OrderedDict[str, tuple[dict, dict[tuple, bytes]]] = OrderedDict()

    def get(self, bean: dict, variant: tuple) -> bytes | None:
        entry = self._entries.get(bean["id"])
        return entry[1].get(variant) if entry is not None and entry[0] is bean else None

    def put(self, bean: dict, variant: tuple, data: bytes) -> None:
        entry = self._entries.get(bean["id"])
        if entry is None or entry[0] is not bean:
            self.forget([bean["id"]])
            entry = self._entries[bean["id"]] = (bean, {})
        entry[1][variant] = data
        self.size += len(data)
        while self.size > self.max_bytes and self._entries:
            _, (_, variants) = self._entries.popitem(last=False)
            self.size -= sum(len(data) for data in variants.values())

    def forget(self, issue_ids: Iterable[str]) -> None:
        for issue_id in issue_ids:
            entry = self._entries.pop(issue_id, None)
            if entry is not None:
                self.size -= sum(len(data) for data in entry[1].values())


def _error_collection(message: str) -> dict:
    return {"errorMessages": [message], "errors": {}}


def _number(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ClientError(
            400, f"The value '{value}' is not a valid number for the parameter '{name}'."
        ) from None


def _last(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    return query[name][-1] if name in query else default


def _paging(query: dict[str, list[str]], *, default: int, cap: int) -> tuple[int, int]:
    """(startAt, page size): sizes are capped silently, as Jira does."""
    start_at = _number(_last(query, "startAt", "0"), "startAt")
    if start_at < 0:
        raise _ClientError(400, "The value of 'startAt' must not be negative.")
    size = _number(_last(query, "maxResults", str(default)), "maxResults")
    return start_at, min(max(1, size), cap)


def _list_page(values: list, start_at: int, size: int) -> dict:
    """The agile API's page: startAt/maxResults/total/isLast/values."""
    return {
        "maxResults": size,
        "startAt": start_at,
        "total": len(values),
        "isLast": start_at + size >= len(values),
        "values": values[start_at : start_at + size],
    }


# Page tokens are opaque to clients; each is bound to the request it continues.
def _token(state: dict, request: object) -> str:
    payload = json.dumps({**state, "request": _digest(request)})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _read_token(token: str, request: object) -> dict:
    """The state a token carries (non-negative integers); a 400 if forged or for another query."""
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        valid = all(type(v) is int and v >= 0 for n, v in state.items() if n != "request")
    except (ValueError, TypeError, AttributeError):
        valid = False
    if not valid or "request" not in state:
        raise _ClientError(400, "The nextPageToken is invalid or has expired.")
    if state.pop("request") != _digest(request):
        raise _ClientError(400, "The nextPageToken was issued for a different query.")
    return state


def _digest(request: object) -> str:
    return hashlib.sha256(json.dumps(request).encode()).hexdigest()[:16]


class SandboxServer:
    """``with SandboxServer(org) as jira:`` serves ``org`` at ``jira.url`` until the block ends."""

    def __init__(
        self,
        org: SandboxOrg | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        email: str = DEMO_EMAIL,
        api_token: str = DEMO_API_TOKEN,
        page_size_cap: int | None = None,  # default: 100 on Cloud, 1000 on Data Center
        embedded_changelog_cap: int = 100,  # Cloud only: Data Center embeds every history
        deployment: Literal["cloud", "datacenter"] = "cloud",
        faults: Iterable[Fault] = (),
        latency: float = 0.0,  # seconds added to every request
        render_cache_bytes: int = _RENDER_CACHE_BYTES,  # serialised issues kept for reuse
    ) -> None:
        if deployment not in ("cloud", "datacenter"):
            raise ValueError(f"deployment must be 'cloud' or 'datacenter', not {deployment!r}")
        self.org = org if org is not None else generate_org()
        self.deployment = deployment
        self.cloud = deployment == "cloud"
        self.host, self.port = host, port
        self.email, self.api_token = email, api_token
        self.page_size_cap = page_size_cap or (100 if self.cloud else 1000)
        self.embedded_changelog_cap = embedded_changelog_cap
        self.latency = latency
        self.url = ""
        self.request_log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._credentials = f"{email}:{api_token}".encode()
        self._store = IssueStore(self.org)
        self._rendered = _Rendered(render_cache_bytes)
        self._store.on_change = self._rendered.forget
        self._selections: dict[frozenset[str], frozenset[str]] = {}  # one object per selection
        self._plan = FaultPlan(tuple(faults))
        self._dc = None if self.cloud else DataCenterView(self.org)
        catalogue = self.org.fields if self.cloud else self._dc.fields
        self._fields = catalogue
        self._field_names = {f["id"]: f["name"] for f in catalogue}
        self._field_schemas = {f["id"]: f["schema"] for f in catalogue if "schema" in f}
        # Data Center lists no `parent` field, yet sends it on sub-tasks.
        self._every_field = frozenset(self._field_names) | {"parent"}
        self._navigable = frozenset(f["id"] for f in catalogue if f["navigable"]) | {"parent"}
        self._projects = [self._store.projects[key] for key in sorted(self._store.projects)]
        self._boards = {board["id"]: board for board in self.org.boards}
        self._routes = self._route_table()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SandboxServer:
        if self._httpd is None:
            self._httpd = _HttpServer((self.host, self.port), self)
            host, port = self._httpd.server_address[:2]
            self.url = f"http://{host}:{port}"
            # A short poll interval lets stop() return promptly.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="jira-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what tests control ------------------------------------------------------------------
    @property
    def now(self) -> dt.datetime:
        """The sandbox's clock: changes are stamped with it; it moves only when told to."""
        return self._store.now

    @now.setter
    def now(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the sandbox clock needs an aware datetime")
        with self._store.lock:
            self._store.now = moment

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        with self._store.lock:
            self._store.now += delta
            return self._store.now

    def update_issue(
        self,
        key: str,
        *,
        summary: str | None = None,
        status: str | None = None,
        labels: list[str] | None = None,
        assignee: str | None | Unchanged = UNCHANGED,
    ) -> dict:
        """Change an issue at ``now``, recording a changelog history; returns the new bean.

        ``status`` is a status name or id (done categories set a resolution), ``assignee`` an
        account id or None. Other issues' embedded summaries of this one are not refreshed.
        """
        return self._store.update_issue(
            key, summary=summary, status=status, labels=labels, assignee=assignee
        )

    def delete_issue(self, key: str) -> None:
        """Delete an issue and its sub-tasks: gone from search; its endpoints answer 404."""
        self._store.delete_issue(key)

    def move_issue(self, key: str, new_project_key: str) -> str:
        """Move an issue (without sub-tasks) to another project; returns its new key. The old key
        keeps resolving on issue endpoints and in JQL (`key = OLD-1`), as in Jira."""
        return self._store.move_issue(key, new_project_key)

    def inject(self, *faults: Fault) -> None:
        for fault in faults:
            self._plan.add(fault)

    def on_request(
        self,
        path: str,
        *,
        action: Callable[[], object],
        after: int = 0,
        method: str | None = None,
    ) -> None:
        """Run ``action()`` once, just before handling the (after + 1)-th request whose path
        matches the regex ``path``, e.g. to change an issue while a client pages through."""
        self._plan.add_hook(path, after, action, method)

    def clear_faults(self) -> None:
        """Forget every fault and hook not yet run."""
        self._plan.clear()

    # -- request handling --------------------------------------------------------------------
    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self.request_log.append(record)

    def _respond(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        authorization: str | None,
    ) -> _Reply:
        version = "3" if self.cloud else "2"
        try:
            if not self._authorised(authorization):
                raise _ClientError(401, "Client must be authenticated to access this resource.")
            if body is _MALFORMED:
                raise _ClientError(400, _INVALID_PAYLOAD)
            with self._store.lock:  # hooks, then the answer, see one state
                for action in self._plan.due_hooks(method, path):
                    action()
                handler, match = self._route(method, path)
                version = match.groupdict().get("version") or version
                payload = handler(match, query, body)
            status = 200
        except _ClientError as error:
            status, payload = error.status, _error_collection(str(error))
        headers = {"WWW-Authenticate": 'Basic realm="Jira sandbox"'} if status == 401 else {}
        return _Reply(status, self._encode(payload, version), headers=headers)

    def _encode(self, payload: Any, version: str) -> bytes:
        """A handler's answer as JSON, pointed at this server. Bytes are serialised already, as
        are the elements of a ``_Serialised`` list, which may be a value of a top-level dict."""
        if type(payload) is bytes:
            return payload
        if isinstance(payload, _Serialised):
            return b"[" + b",".join(payload) + b"]"
        if isinstance(payload, dict) and any(type(v) is _Serialised for v in payload.values()):
            members = (_dumps(n) + b":" + self._encode(v, version) for n, v in payload.items())
            return b"{" + b",".join(members) + b"}"
        return self._point_here(_dumps(payload), version)

    def _point_here(self, data: bytes, version: str) -> bytes:
        """The generator links to a placeholder host and API v3: point the links at this server
        and at the API version asked for. (A link lies within one JSON string, so rewriting the
        parts of a response one by one is rewriting the whole.)"""
        if _PLACEHOLDER not in data:
            return data
        if version != "3":
            data = data.replace(_PLACEHOLDER_API, f"{self.url}/rest/api/{version}/".encode())
        return data.replace(_PLACEHOLDER, self.url.encode())

    def _route(self, method: str, path: str) -> tuple[Callable, re.Match]:
        allowed = False
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler, match
            allowed = allowed or match is not None
        if allowed:
            raise _ClientError(405, f"{method} is not supported at {path}.")
        raise _ClientError(404, f"No {method} resource at {path} in the Jira sandbox.")

    def _authorised(self, authorization: str | None) -> bool:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and not self.cloud:  # a Data Center personal access token
            return hmac.compare_digest(credentials.strip().encode(), self.api_token.encode())
        if scheme.lower() != "basic":
            return False
        try:
            supplied = base64.b64decode(credentials.strip(), validate=True)
        except binascii.Error:
            return False
        return hmac.compare_digest(supplied, self._credentials)

    def _fault_reply(self, fault: Fault) -> _Reply:
        """An error as Jira answers it; gateways answer 502 and 504 with an HTML page."""
        phrase = HTTPStatus(fault.status).phrase
        if fault.status in (502, 504):
            page = f"<html><head><title>{fault.status} {phrase}</title></head></html>"
            return _Reply(fault.status, page.encode(), "text/html", fault.response_headers())
        message = "Rate limit exceeded." if fault.status == 429 else phrase
        payload = json.dumps(_error_collection(message)).encode()
        return _Reply(fault.status, payload, headers=fault.response_headers())

    def _route_table(self) -> list[tuple[str, re.Pattern, Callable]]:
        api = r"/rest/api/(?P<version>[23])" if self.cloud else r"/rest/api/(?P<version>2)"
        issue = f"{api}/issue/(?P<issue>[^/]+)"
        agile = r"/rest/agile/1\.0"
        routes = [
            ("GET", f"{api}/serverInfo", self._server_info),
            ("GET", f"{api}/field", lambda *_: self._fields),
            ("GET", f"{api}/status", lambda *_: self.org.statuses),
            ("GET", f"{api}/myself", self._myself),
            ("GET", f"{api}/project", lambda *_: self._projects),
            ("GET", issue, self._issue_get),
            ("GET", f"{issue}/worklog", self._worklog_page),
            ("GET", f"{agile}/board", self._board_list),
            ("GET", rf"{agile}/board/(?P<board>[^/]+)/sprint", self._sprint_list),
        ]
        if self.cloud:
            routes += [
                ("GET", f"{api}/search/jql", self._search_get),
                ("POST", f"{api}/search/jql", self._search_post),
                ("GET", f"{api}/search", self._search_removed),
                ("POST", f"{api}/search", self._search_removed),
                ("POST", f"{api}/search/approximate-count", self._approximate_count),
                ("POST", f"{api}/changelog/bulkfetch", self._bulk_changelogs),
                ("GET", f"{issue}/changelog", self._changelog),
                ("GET", f"{api}/users/search", self._user_list),
            ]
        else:
            routes += [
                ("GET", f"{api}/search", self._classic_search_get),
                ("POST", f"{api}/search", self._classic_search_post),
                ("GET", f"{api}/user/search", self._user_search),
            ]
        return [(method, re.compile(path), handler) for method, path, handler in routes]

    # -- instance ----------------------------------------------------------------------------
    def _server_info(self, match, query, body) -> dict:
        version, numbers, build = _CLOUD_VERSION if self.cloud else _DATACENTER_VERSION
        now = self.now
        return {
            "baseUrl": self.url,
            "displayUrl": self.url,
            "version": version,
            "versionNumbers": numbers,
            "deploymentType": "Cloud" if self.cloud else "Server",
            "buildNumber": build,
            "buildDate": format_jira_datetime(now - dt.timedelta(days=3)),
            "serverTime": format_jira_datetime(now),
            "scmInfo": _SCM_INFO,
            "serverTitle": "Jira sandbox",
        }

    def _myself(self, match, query, body) -> dict:
        myself = self.org.myself if self.cloud else self._dc.myself
        return {**myself, "emailAddress": self.email}

    def _user_list(self, match, query, body) -> list:
        """Cloud: every account, people or not, active or not; privacy hides some e-mails."""
        start_at, size = _paging(query, default=50, cap=_USER_PAGE_CAP)
        return self.org.users[start_at : start_at + size]

    def _user_search(self, match, query, body) -> list:
        """Data Center: users whose username, name or e-mail starts with `username` ("." all)."""
        wanted = (_last(query, "username") or "").lower()
        if not wanted:
            raise _ClientError(400, "The username query parameter was not provided")
        start_at, size = _paging(query, default=50, cap=_USER_PAGE_CAP)
        include_inactive = _last(query, "includeInactive", "false").lower() == "true"
        found = [
            user
            for user in self._dc.users
            if (user["active"] or include_inactive)
            and (
                wanted == "."
                or any(
                    user[n].lower().startswith(wanted)
                    for n in ("name", "displayName", "emailAddress")
                )
            )
        ]
        return found[start_at : start_at + size]

    # -- issues ------------------------------------------------------------------------------
    def _issue(self, reference: str) -> dict:
        issue = self._store.resolve(reference)
        if issue is None:
            raise _ClientError(404, _NO_ISSUE)
        return issue

    def _issue_get(self, match, query, body) -> bytes:
        issue = self._issue(match["issue"])
        selection = self._field_selection(query.get("fields") or ["*all"])
        with_changelog = "changelog" in self._expands(query.get("expand"))
        return self._serialised([issue], selection, with_changelog, match["version"])[0]

    @staticmethod
    def _expands(expand: str | list[str] | None) -> set[str]:
        parts = expand if isinstance(expand, list) else [expand or ""]
        return {word.strip() for part in parts for word in part.split(",")}

    def _field_selection(self, requested: list[str]) -> frozenset[str] | None:
        """The field ids to return, or None for Cloud's id-only form."""
        names = [part.strip() for value in requested for part in value.split(",") if part.strip()]
        if set(names) <= {"id"}:
            return None
        chosen: set[str] = set()
        for name in names:
            if name == "*all":
                chosen |= self._every_field
            elif name == "*navigable":
                chosen |= self._navigable
            elif not name.startswith("-"):
                chosen.add(name)
        excluded = {name[1:] for name in names if name.startswith("-")}
        selection = frozenset((chosen - excluded) & self._every_field)
        return self._selections.setdefault(selection, selection)

    def _serialised(
        self,
        issues: list[dict],
        selection: frozenset[str] | None,
        with_changelog: bool,
        version: str,
    ) -> _Serialised:
        """The beans of ``issues`` serialised for this server, each rendered once (_Rendered)."""
        variant = (selection, with_changelog, version, self.url, self.embedded_changelog_cap)
        rendered, serialised = self._rendered, _Serialised()
        for issue in issues:
            data = rendered.get(issue, variant)
            if data is None:
                bean = self._bean(issue, selection, with_changelog)
                data = self._point_here(_dumps(bean), version)
                rendered.put(issue, variant, data)
            serialised.append(data)
        return serialised

    def _bean(self, issue: dict, selection: frozenset[str] | None, with_changelog: bool) -> dict:
        if selection is None:
            bean = {"id": issue["id"]}
        else:
            fields = issue["fields"] if self.cloud else self._dc.issue_fields(issue["fields"])
            bean = {
                "expand": issue["expand"],
                "id": issue["id"],
                "self": issue["self"],
                "key": issue["key"],
                "fields": {f: value for f, value in fields.items() if f in selection},
            }
        if with_changelog:
            histories = self._store.histories(issue["id"])
            if self.cloud:  # Cloud embeds the oldest few; `total` tells how many exist
                shown = histories[: self.embedded_changelog_cap]
            else:
                shown = [self._dc.history(h) for h in histories]
            bean["changelog"] = {
                "startAt": 0,
                "maxResults": len(shown),
                "total": len(histories),
                "histories": shown,
            }
        return bean

    def _names_and_schema(self, result: dict, selection, expands: set[str]) -> None:
        if selection is not None and "names" in expands:
            result["names"] = {f: n for f, n in self._field_names.items() if f in selection}
        if selection is not None and "schema" in expands:
            result["schema"] = {f: s for f, s in self._field_schemas.items() if f in selection}

    def _find(self, jql_text: str, *, bounded: bool) -> list[int]:
        try:
            return self._store.find(jql_text, bounded=bounded)
        except jql.JqlError as error:
            raise _ClientError(400, str(error)) from None

    # -- Cloud search ------------------------------------------------------------------------
    def _search_get(self, match, query, body) -> dict:
        max_results = _last(query, "maxResults")
        return self._search(
            _last(query, "jql", ""),
            _last(query, "nextPageToken"),
            None if max_results is None else _number(max_results, "maxResults"),
            query.get("fields"),
            query.get("expand"),
            match["version"],
        )

    def _search_post(self, match, query, body) -> dict:
        if not isinstance(body, dict):
            raise _ClientError(400, _INVALID_PAYLOAD)
        jql_text, token = body.get("jql") or "", body.get("nextPageToken")
        max_results, fields, expand = body.get("maxResults"), body.get("fields"), body.get("expand")
        if isinstance(fields, str):
            fields = [fields]
        valid = (
            isinstance(jql_text, str)
            and isinstance(token, str | None)
            and (max_results is None or type(max_results) is int)
            and (fields is None or all(isinstance(f, str) for f in fields))
            and isinstance(expand, str | list | None)
        )
        if not valid:
            raise _ClientError(400, _INVALID_PAYLOAD)
        return self._search(jql_text, token, max_results, fields, expand, match["version"])

    def _search(
        self,
        jql_text: str,
        token: str | None,
        max_results: int | None,
        fields: list[str] | None,
        expand: str | list[str] | None,
        version: str,
    ) -> dict:
        positions = self._find(jql_text, bounded=True)
        state = _read_token(token, jql_text) if token else {"offset": 0, "page": 0}
        offset, page_number = state.get("offset", 0), state.get("page", 0)
        # Cloud caps the page size silently, and may answer fewer: a client must follow
        # nextPageToken, never count. Below one there is nothing sensible to page by.
        size = min(max(1, 50 if max_results is None else max_results), self.page_size_cap)
        if page_number % _SHORT_PAGE_EVERY == _SHORT_PAGE_EVERY - 1:
            size = max(1, size * 2 // 3)
        page = positions[offset : offset + size]
        selection = self._field_selection(fields or [])
        expands = self._expands(expand)
        beans = self._store.beans
        result: dict[str, Any] = {
            "issues": self._serialised(
                [beans[p] for p in page], selection, "changelog" in expands, version
            ),
        }
        self._names_and_schema(result, selection, expands)
        if offset + len(page) < len(positions):
            next_state = {"offset": offset + len(page), "page": page_number + 1}
            result["nextPageToken"] = _token(next_state, jql_text)
        result["isLast"] = "nextPageToken" not in result
        return result

    def _search_removed(self, match, query, body) -> dict:
        raise _ClientError(410, SEARCH_REMOVED_MESSAGE)

    def _approximate_count(self, match, query, body) -> dict:
        if not isinstance(body, dict) or not isinstance(body.get("jql", ""), str):
            raise _ClientError(400, _INVALID_PAYLOAD)
        return {"count": len(self._find(body.get("jql") or "", bounded=True))}

    # -- Data Center search ------------------------------------------------------------------
    def _classic_search_get(self, match, query, body) -> dict:
        max_results = _last(query, "maxResults")
        return self._classic_search(
            _last(query, "jql", ""),
            _number(_last(query, "startAt", "0"), "startAt"),
            None if max_results is None else _number(max_results, "maxResults"),
            query.get("fields"),
            query.get("expand"),
            match["version"],
        )

    def _classic_search_post(self, match, query, body) -> dict:
        if not isinstance(body, dict):
            raise _ClientError(400, _INVALID_PAYLOAD)
        jql_text, start_at = body.get("jql") or "", body.get("startAt", 0)
        max_results, fields, expand = body.get("maxResults"), body.get("fields"), body.get("expand")
        valid = (
            isinstance(jql_text, str)
            and type(start_at) is int
            and (max_results is None or type(max_results) is int)
            and (fields is None or all(isinstance(f, str) for f in fields))
            and isinstance(expand, str | list | None)
        )
        if not valid:
            raise _ClientError(400, _INVALID_PAYLOAD)
        return self._classic_search(
            jql_text, start_at, max_results, fields, expand, match["version"]
        )

    def _classic_search(
        self,
        jql_text: str,
        start_at: int,
        max_results: int | None,
        fields: list[str] | None,
        expand: str | list[str] | None,
        version: str,
    ) -> dict:
        """Offset paging; maxResults 0 counts. Results beyond the window need narrower JQL."""
        if start_at < 0:
            raise _ClientError(400, "The value of 'startAt' must not be negative.")
        size = min(max(0, 50 if max_results is None else max_results), self.page_size_cap)
        if start_at + size > RESULT_WINDOW:
            raise _ClientError(
                400,
                f"The result window is too large: startAt + maxResults must not exceed "
                f"{RESULT_WINDOW} (it was {start_at + size}). Narrow the JQL, for example by "
                f"ranges of 'updated', to reach further results.",
            )
        positions = self._find(jql_text, bounded=False)
        selection = self._field_selection(fields or ["*navigable"])
        expands = self._expands(expand)
        result = {
            "expand": "schema,names",
            "startAt": start_at,
            "maxResults": size,
            "total": len(positions),
            "issues": self._serialised(
                [self._store.beans[p] for p in positions[start_at : start_at + size]],
                selection,
                "changelog" in expands,
                version,
            ),
        }
        self._names_and_schema(result, selection, expands)
        return result

    # -- changelogs and worklogs -------------------------------------------------------------
    def _changelog(self, match, query, body) -> dict:
        reference = match["issue"]
        histories = self._store.histories(self._issue(reference)["id"])
        start_at, size = _paging(query, default=_HISTORY_PAGE_CAP, cap=_HISTORY_PAGE_CAP)
        base = f"{self.url}/rest/api/{match['version']}/issue/{reference}/changelog"
        page = {
            "self": f"{base}?maxResults={size}&startAt={start_at}",
            "maxResults": size,
            "startAt": start_at,
            "total": len(histories),
            "isLast": start_at + size >= len(histories),
            "values": histories[start_at : start_at + size],
        }
        if not page["isLast"]:
            page["nextPage"] = f"{base}?maxResults={size}&startAt={start_at + size}"
        return page

    def _bulk_changelogs(self, match, query, body) -> dict:
        """Histories of many issues, by issue id then oldest first, token-paged across issues;
        issues that do not exist (or are deleted) are left out, as invisible ones are."""
        if not isinstance(body, dict):
            raise _ClientError(400, _INVALID_PAYLOAD)
        references, field_ids = body.get("issueIdsOrKeys"), body.get("fieldIds") or []
        max_results, token = body.get("maxResults", _BULK_PAGE_CAP), body.get("nextPageToken")
        valid = (
            isinstance(references, list)
            and all(isinstance(r, str) for r in references)
            and isinstance(field_ids, list)
            and all(isinstance(f, str) for f in field_ids)
            and type(max_results) is int
            and isinstance(token, str | None)
        )
        if not valid:
            raise _ClientError(400, _INVALID_PAYLOAD)
        if not 1 <= len(references) <= _BULK_ISSUES_CAP:
            raise _ClientError(400, f"Provide between 1 and {_BULK_ISSUES_CAP} issue ids or keys.")
        if len(field_ids) > 10:
            raise _ClientError(400, "Provide at most 10 field ids.")
        if not 1 <= max_results <= 10_000:
            raise _ClientError(400, "maxResults must be between 1 and 10000.")
        issue_ids = sorted(
            {issue["id"] for r in references if (issue := self._store.resolve(r))}, key=int
        )
        entries = [
            (issue_id, history)
            for issue_id in issue_ids
            for history in self._filtered(self._store.histories(issue_id), set(field_ids))
        ]
        request = [sorted(set(references)), sorted(field_ids)]  # a deletion must not void it
        offset = _read_token(token, request).get("offset", 0) if token else 0
        size = min(max_results, _BULK_PAGE_CAP)
        result: dict[str, Any] = {"issueChangeLogs": []}
        for issue_id, history in entries[offset : offset + size]:
            logs = result["issueChangeLogs"]
            if not logs or logs[-1]["issueId"] != issue_id:
                logs.append({"issueId": issue_id, "changeHistories": []})
            logs[-1]["changeHistories"].append(history)
        if offset + size < len(entries):
            result["nextPageToken"] = _token({"offset": offset + size}, request)
        return result

    @staticmethod
    def _filtered(histories: list[dict], field_ids: set[str]) -> list[dict]:
        """Histories with only the items of ``field_ids`` (all when empty); none left, none."""
        if not field_ids:
            return histories
        kept = []
        for history in histories:
            items = [item for item in history["items"] if item["fieldId"] in field_ids]
            if items:
                kept.append({**history, "items": items})
        return kept

    def _worklog_page(self, match, query, body) -> dict:
        issue = self._issue(match["issue"])
        start_at, size = _paging(query, default=_WORKLOG_PAGE_CAP, cap=_WORKLOG_PAGE_CAP)
        after = _number(_last(query, "startedAfter", "0"), "startedAfter")
        before = _last(query, "startedBefore")
        before = None if before is None else _number(before, "startedBefore")
        worklogs = [
            worklog
            for worklog in self._store.worklogs(issue["id"])
            if after <= (started := epoch_ms(worklog["started"]))
            and (before is None or started < before)
        ]
        page = worklogs[start_at : start_at + size]
        return {
            "startAt": start_at,
            "maxResults": size,
            "total": len(worklogs),
            "worklogs": page if self.cloud else [self._dc.worklog(w) for w in page],
        }

    # -- agile -------------------------------------------------------------------------------
    def _board_list(self, match, query, body) -> dict:
        start_at, size = _paging(query, default=_AGILE_PAGE_CAP, cap=_AGILE_PAGE_CAP)
        types = {t for value in query.get("type", []) for t in value.split(",") if t}
        project = (_last(query, "projectKeyOrId") or "").upper()
        name = (_last(query, "name") or "").lower()
        boards = [
            board
            for board in self.org.boards
            if (not types or board["type"] in types)
            and project
            in ("", board["location"]["projectKey"], str(board["location"]["projectId"]))
            and name in board["name"].lower()
        ]
        return _list_page(boards, start_at, size)

    def _sprint_list(self, match, query, body) -> dict:
        """A scrum board's sprints: closed, then active, then future ones."""
        board = self._boards.get(int(match["board"])) if match["board"].isdigit() else None
        if board is None:
            raise _ClientError(
                404,
                "The requested board cannot be viewed because it either does "
                "not exist or you do not have permission to view it.",
            )
        if board["type"] != "scrum":
            raise _ClientError(400, "The board does not support sprints")
        start_at, size = _paging(query, default=_AGILE_PAGE_CAP, cap=_AGILE_PAGE_CAP)
        states = {s for value in query.get("state", []) for s in value.split(",") if s}
        order = {"closed": 0, "active": 1, "future": 2}
        sprints = sorted(
            (s for s in self.org.sprints[board["id"]] if not states or s["state"] in states),
            key=lambda s: order[s["state"]],
        )
        return _list_page(sprints, start_at, size)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients pool connections
    # Headers and body go out as two writes; with Nagle on, the second waits on a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "JiraSandbox/0"
    server: _HttpServer

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        arrived = time.monotonic()
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = _MALFORMED
        authorization = self.headers.get("Authorization")
        headers = {  # as sent, but of Authorization only the scheme: never the secret
            name: value.partition(" ")[0] if name.lower() == "authorization" else value
            for name, value in self.headers.items()
        }

        def record(status: int) -> None:
            logged_body = body if isinstance(body, dict) else None
            sandbox._record(
                RequestRecord(
                    self.command, split.path, query, logged_body, status, arrived, headers
                )
            )

        if sandbox.latency:
            time.sleep(sandbox.latency)
        fault = sandbox._plan.fault_for(self.command, split.path)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault is not None and fault.kind == "reset":
            record(0)
            self._reset_connection()
            return
        if fault is not None and fault.kind == "status":
            reply = sandbox._fault_reply(fault)
        else:
            reply = sandbox._respond(self.command, split.path, query, body, authorization)
        # Logged before answering, so a client that got its response always finds the record.
        record(reply.status)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.payload)

    def _reset_connection(self) -> None:
        """Close with a TCP reset, no answer: what a client sees when a proxy drops it."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: ``SandboxServer.request_log`` is the record of requests."""


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many concurrent clients: their latencies overlap

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with self._connections_lock:
            self._connections.add(connection)
        return connection, address

    def shutdown_request(self, request: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections: a client's pool must not reach a stopped server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
