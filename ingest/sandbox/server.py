"""A local stand-in for Jira Cloud's platform REST API (v2 and v3), on the standard library.

It serves a ``SandboxOrg`` with the shapes of Atlassian's published OpenAPI description, so that the
client code that talks to it also talks to real Jira: basic auth, token-paged `search/jql`, embedded
changelogs truncated like Cloud's, and the issue changelog endpoint paged by `startAt`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from ingest.sandbox import jql
from ingest.sandbox.generator import (
    BASE_URL_PLACEHOLDER,
    DEMO_EMAIL,
    SandboxOrg,
    format_jira_datetime,
    generate_org,
)

DEMO_API_TOKEN = "sandbox-token"
_JIRA_VERSION = ("1001.0.0-SNAPSHOT", [1001, 0, 0])
_SCM_INFO = hashlib.sha1(b"jira-sandbox v0").hexdigest()
_HISTORY_PAGE_CAP = 100  # the issue changelog endpoint never returns more per page
_QUERY_CACHE_SIZE = 64
_API = r"/rest/api/(?P<version>[23])"
_INVALID_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."


class RequestRecord(NamedTuple):
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict | None
    status: int


class _ClientError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error_collection(message: str) -> dict:
    return {"errorMessages": [message], "errors": {}}


def _epoch_ms(jira_datetime: str) -> int:
    return round(dt.datetime.strptime(jira_datetime, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


class _SearchIndex:
    """JQL over the (immutable) issues; the ordered matches of recent queries are cached."""

    def __init__(self, org: SandboxOrg) -> None:
        self.rows = []
        projects, issue_types, keys = {}, {}, {}
        for position, issue in enumerate(org.issues):
            fields = issue["fields"]
            project, issue_type = fields["project"], fields["issuetype"]
            self.rows.append(
                jql.IssueRow(
                    position=position,
                    id=int(issue["id"]),
                    key=issue["key"],
                    project_key=project["key"],
                    number=int(issue["key"].rsplit("-", 1)[1]),
                    issue_type=issue_type["name"],
                    created_ms=_epoch_ms(fields["created"]),
                    updated_ms=_epoch_ms(fields["updated"]),
                )
            )
            for name in (project["key"], project["name"], project["id"]):
                projects[name.lower()] = project["key"]
            for name in (issue_type["name"], issue_type["id"]):
                issue_types[name.lower()] = issue_type["name"]
            keys[issue["key"].upper()] = keys[issue["id"]] = issue["key"]
        self.catalog = jql.Catalog(
            projects=projects,
            issue_types=issue_types,
            issues=keys,
            time_zone=ZoneInfo(org.myself["timeZone"]),
        )
        self._cache: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def find(self, text: str) -> list[int]:
        """Positions of the matching issues, in query order; raises ``jql.JqlError``."""
        with self._lock:
            cached = self._cache.get(text)
        if cached is None:
            query = jql.compile_query(text, self.catalog)
            cached = [
                row.position for row in query.sort([r for r in self.rows if query.matches(r)])
            ]
            with self._lock:
                if len(self._cache) >= _QUERY_CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[text] = cached
        return cached


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
        page_size_cap: int = 100,
        embedded_changelog_cap: int = 100,
    ) -> None:
        self.org = org if org is not None else generate_org()
        self.host, self.port = host, port
        self.email, self.api_token = email, api_token
        self.page_size_cap = page_size_cap
        self.embedded_changelog_cap = embedded_changelog_cap
        self.url = ""
        self.request_log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._credentials = f"{email}:{api_token}".encode()
        self._index = _SearchIndex(self.org)
        self._issues_by_ref = {}
        for issue in self.org.issues:
            self._issues_by_ref[issue["key"].upper()] = self._issues_by_ref[issue["id"]] = issue
        projects = {
            issue["fields"]["project"]["key"]: issue["fields"]["project"]
            for issue in self.org.issues
        }
        self._projects = [projects[key] for key in sorted(projects)]
        self._field_names = {f["id"]: f["name"] for f in self.org.fields}
        self._field_schemas = {f["id"]: f["schema"] for f in self.org.fields if "schema" in f}
        self._every_field = frozenset(self._field_names)
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
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- request handling --------------------------------------------------------------------
    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self.request_log.append(record)

    def _respond(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw_body: bytes,
        authorization: str | None,
    ) -> tuple[int, bytes, dict | None]:
        """(status, JSON bytes, parsed body) for one request."""
        body = None
        version = "3"
        try:
            if not self._authorised(authorization):
                raise _ClientError(401, "Client must be authenticated to access this resource.")
            if raw_body:
                try:
                    body = json.loads(raw_body)
                except ValueError:
                    raise _ClientError(400, _INVALID_PAYLOAD) from None
            for route_method, pattern, handler in self._routes:
                match = pattern.fullmatch(path)
                if match and route_method == method:
                    version = match["version"]
                    status, payload = 200, handler(self, match, query, body)
                    break
            else:
                raise _ClientError(404, f"No {method} resource at {path} in the Jira sandbox.")
        except _ClientError as error:
            status, payload = error.status, _error_collection(str(error))
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        # The generator links to a placeholder host and API v3: point them at this server and
        # at the API version asked for.
        text = text.replace(
            f"{BASE_URL_PLACEHOLDER}/rest/api/3/", f"{self.url}/rest/api/{version}/"
        )
        text = text.replace(BASE_URL_PLACEHOLDER, self.url)
        return status, text.encode(), body if isinstance(body, dict) else None

    def _authorised(self, authorization: str | None) -> bool:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            supplied = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            return False
        return hmac.compare_digest(supplied, self._credentials)

    def _server_info(self, match, query, body) -> dict:
        now = self.org.truth.now  # the sandbox's clock stands still at as_of: runs are reproducible
        return {
            "baseUrl": self.url,
            "displayUrl": self.url,
            "version": _JIRA_VERSION[0],
            "versionNumbers": _JIRA_VERSION[1],
            "deploymentType": "Cloud",
            "buildNumber": 100300,
            "buildDate": format_jira_datetime(now - dt.timedelta(days=3)),
            "serverTime": format_jira_datetime(now),
            "scmInfo": _SCM_INFO,
            "serverTitle": "Jira sandbox",
        }

    def _field_list(self, match, query, body) -> list:
        return self.org.fields

    def _status_list(self, match, query, body) -> list:
        return self.org.statuses

    def _project_list(self, match, query, body) -> list:
        return self._projects

    def _myself(self, match, query, body) -> dict:
        return {**self.org.myself, "emailAddress": self.email}

    def _search_get(self, match, query, body) -> dict:
        def last(name: str, default: str | None = None) -> str | None:
            return query[name][-1] if name in query else default

        max_results = last("maxResults")
        if max_results is not None:
            try:
                max_results = int(max_results)
            except ValueError:
                raise _ClientError(
                    400,
                    f"The value '{max_results}' is not a valid number for "
                    "the parameter 'maxResults'.",
                ) from None
        return self._search(
            last("jql", ""),
            last("nextPageToken"),
            max_results,
            query.get("fields"),
            ",".join(query.get("expand", [])),
        )

    def _search_post(self, match, query, body) -> dict:
        if not isinstance(body, dict):
            raise _ClientError(400, _INVALID_PAYLOAD)
        jql_text, token = body.get("jql") or "", body.get("nextPageToken")
        max_results, fields, expand = body.get("maxResults"), body.get("fields"), body.get("expand")
        if isinstance(fields, str):
            fields = [fields]
        if isinstance(expand, list):
            expand = ",".join(expand)
        valid = (
            isinstance(jql_text, str)
            and isinstance(token, str | None)
            and (max_results is None or type(max_results) is int)
            and (fields is None or all(isinstance(f, str) for f in fields))
            and isinstance(expand, str | None)
        )
        if not valid:
            raise _ClientError(400, _INVALID_PAYLOAD)
        return self._search(jql_text, token, max_results, fields, expand or "")

    def _search(
        self,
        jql_text: str,
        token: str | None,
        max_results: int | None,
        fields: list[str] | None,
        expand: str,
    ) -> dict:
        try:
            positions = self._index.find(jql_text)
        except jql.JqlError as error:
            raise _ClientError(400, str(error)) from None
        offset = self._offset_from(token, jql_text) if token else 0
        # Cloud caps the page size silently; below one there is nothing sensible to page by.
        size = min(max(1, 50 if max_results is None else max_results), self.page_size_cap)
        page = positions[offset : offset + size]
        selection = self._field_selection(fields or [])
        expands = {part.strip() for part in expand.split(",")}
        result: dict[str, Any] = {
            "issues": [
                self._bean(self.org.issues[p], selection, "changelog" in expands) for p in page
            ],
        }
        if selection is not None and "names" in expands:
            result["names"] = {f: n for f, n in self._field_names.items() if f in selection}
        if selection is not None and "schema" in expands:
            result["schema"] = {f: s for f, s in self._field_schemas.items() if f in selection}
        if offset + len(page) < len(positions):
            result["nextPageToken"] = self._token(offset + len(page), jql_text)
        result["isLast"] = "nextPageToken" not in result
        return result

    def _field_selection(self, requested: list[str]) -> frozenset[str] | None:
        """The field ids to return, or None for Cloud's default, id-only, form."""
        names = [part.strip() for value in requested for part in value.split(",") if part.strip()]
        if set(names) <= {"id"}:
            return None
        chosen: set[str] = set()
        for name in names:
            if name in ("*all", "*navigable"):  # every sandbox field is navigable
                chosen |= self._every_field
            elif not name.startswith("-"):
                chosen.add(name)
        excluded = {name[1:] for name in names if name.startswith("-")}
        chosen = (chosen - excluded) & self._every_field
        return self._every_field if chosen == self._every_field else frozenset(chosen)

    def _bean(self, issue: dict, selection: frozenset[str] | None, with_changelog: bool) -> dict:
        if selection is None:
            bean = {"id": issue["id"]}
        else:
            fields = issue["fields"]
            if selection is not self._every_field:
                fields = {f: value for f, value in fields.items() if f in selection}
            bean = {
                "expand": issue["expand"],
                "id": issue["id"],
                "self": issue["self"],
                "key": issue["key"],
                "fields": fields,
            }
        if with_changelog:
            # Cloud embeds at most a fixed number of histories; `total` tells how many exist.
            histories = self.org.changelogs[issue["id"]]
            shown = histories[: self.embedded_changelog_cap]
            bean["changelog"] = {
                "startAt": 0,
                "maxResults": len(shown),
                "total": len(histories),
                "histories": shown,
            }
        return bean

    @staticmethod
    def _query_digest(jql_text: str) -> str:
        return hashlib.sha256(jql_text.encode()).hexdigest()[:16]

    def _token(self, offset: int, jql_text: str) -> str:
        payload = json.dumps({"offset": offset, "query": self._query_digest(jql_text)})
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _offset_from(self, token: str, jql_text: str) -> int:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            offset, digest = decoded["offset"], decoded["query"]
        except (ValueError, KeyError, TypeError):
            raise _ClientError(400, "The nextPageToken is invalid or has expired.") from None
        if digest != self._query_digest(jql_text) or type(offset) is not int or offset < 0:
            raise _ClientError(400, "The nextPageToken was issued for a different query.")
        return offset

    def _changelog(self, match, query, body) -> dict:
        reference = match["issue"]
        issue = self._issues_by_ref.get(reference.upper())
        if issue is None:
            raise _ClientError(404, "Issue does not exist or you do not have permission to see it.")
        try:
            start_at = int(query.get("startAt", ["0"])[-1])
            size = min(max(1, int(query.get("maxResults", ["100"])[-1])), _HISTORY_PAGE_CAP)
        except ValueError:
            raise _ClientError(400, "startAt and maxResults must be numbers.") from None
        if start_at < 0:
            raise _ClientError(400, "startAt must not be negative.")
        histories = self.org.changelogs[issue["id"]]
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

    _routes = (
        ("GET", re.compile(f"{_API}/serverInfo"), _server_info),
        ("GET", re.compile(f"{_API}/field"), _field_list),
        ("GET", re.compile(f"{_API}/status"), _status_list),
        ("GET", re.compile(f"{_API}/myself"), _myself),
        ("GET", re.compile(f"{_API}/project"), _project_list),
        ("GET", re.compile(f"{_API}/search/jql"), _search_get),
        ("POST", re.compile(f"{_API}/search/jql"), _search_post),
        ("GET", re.compile(f"{_API}/issue/(?P<issue>[^/]+)/changelog"), _changelog),
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients pool connections
    # Headers and body go out as two writes; with Nagle on, the second waits on a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "JiraSandbox/0"
    server: _HttpServer

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        status, payload, body = sandbox._respond(
            self.command, split.path, query, raw_body, self.headers.get("Authorization")
        )
        # Logged before answering, so a client that got its response always finds the record.
        sandbox._record(RequestRecord(self.command, split.path, query, body, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Jira sandbox"')
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: ``SandboxServer.request_log`` is the record of requests."""


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        super().__init__(address, _Handler)
