"""Serving cheaply changes nothing: issues rendered once and reused until they change, searches
answered from cached, ordered results, and the same bytes as rendering afresh."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from ingest.sandbox import SandboxServer, jql
from ingest.sandbox.generator import format_jira_datetime
from ingest.sandbox.server import _dumps
from ingest.sandbox.store import IssueStore

USER_ZONE = ZoneInfo("Europe/Berlin")


def _minute(moment: dt.datetime) -> str:
    return f'"{moment.astimezone(USER_ZONE):%Y/%m/%d %H:%M}"'


def _keyset_query(project: str, since: dt.datetime) -> str:
    """The client's query shape: each page a new query, restarting at a minute."""
    scope = f'(project in ("{project}"))'
    return f"{scope} AND updated >= {_minute(since)} ORDER BY updated ASC, key ASC"


def _search(http, server, jql_text: str, version: str = "3") -> dict:
    response = http.post(
        f"{server.url}/rest/api/{version}/search/jql",
        json={"jql": jql_text, "maxResults": 100, "fields": ["*all"], "expand": "changelog"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_change_is_served_at_once_though_the_issue_was_rendered(private_sandbox, http, org):
    server = private_sandbox()
    key = "PAY-3"
    issue = next(i for i in org.issues if i["key"] == key)
    since = dt.datetime.fromisoformat(issue["fields"]["updated"]) - dt.timedelta(minutes=1)
    query = _keyset_query("PAY", since)
    histories = len(org.changelogs.get(issue["id"], ()))
    by_key = f"key = {key}"
    # Render it in every way a client will ask again: searches (v3 and v2), the issue endpoint.
    for version in ("3", "2"):
        first_page = [i["key"] for i in _search(http, server, query, version)["issues"]]
        assert key in first_page
        (found,) = _search(http, server, by_key, version)["issues"]
        assert found["fields"]["summary"] == issue["fields"]["summary"] != "New"
    assert http.get(f"{server.url}/rest/api/3/issue/{key}").json()["fields"]["summary"] != "New"

    server.advance(dt.timedelta(hours=1))
    server.update_issue(key, summary="New")
    updated = format_jira_datetime(server.now)
    for version in ("3", "2"):
        # The same queries again: the issue has moved to the end of the order, and is new.
        assert key not in [i["key"] for i in _search(http, server, query, version)["issues"]]
        (found,) = _search(http, server, by_key, version)["issues"]
        (latest,) = _search(http, server, _keyset_query("PAY", server.now), version)["issues"]
        for bean in (found, latest):
            assert (bean["key"], bean["fields"]["summary"]) == (key, "New")
            assert bean["fields"]["updated"] == updated
            assert bean["changelog"]["total"] == histories + 1
            assert bean["self"].startswith(f"{server.url}/rest/api/{version}/")
    got = http.get(f"{server.url}/rest/api/3/issue/{key}", params={"expand": "changelog"}).json()
    assert (got["fields"]["summary"], got["fields"]["updated"]) == ("New", updated)
    assert got["changelog"]["histories"][-1]["items"][0]["toString"] == "New"

    new_key = server.move_issue(key, "MOB")
    assert key not in {i["key"] for i in _search(http, server, query)["issues"]}
    moved = _search(http, server, _keyset_query("MOB", server.now))["issues"]
    assert [(i["key"], i["fields"]["project"]["key"]) for i in moved] == [(new_key, "MOB")]

    server.delete_issue(new_key)
    assert _search(http, server, _keyset_query("MOB", server.now))["issues"] == []
    assert http.get(f"{server.url}/rest/api/3/issue/{issue['id']}").status_code == 404


def test_rendered_and_fresh_answers_are_the_same_bytes(private_sandbox, http):
    cached, capped = private_sandbox(), private_sandbox(render_cache_bytes=40_000)
    query = "project in (PAY, DATA) AND updated >= 2026-06-01 ORDER BY updated ASC, key ASC"
    params = {"jql": query, "fields": "*all", "expand": "changelog,names", "maxResults": 100}

    def page(server, version: str) -> bytes:
        url = f"{server.url}/rest/api/{version}/search/jql"
        response = http.get(url, params=params)
        assert response.status_code == 200
        return response.content.replace(server.url.encode(), b"http://sandbox")

    cold = page(cached, "3")
    assert page(cached, "3") == cold == page(capped, "3") == page(capped, "3")
    assert capped._rendered.size <= 40_000
    # Version 2 differs in its links only, rendered apart from version 3.
    v2 = page(cached, "2")
    assert v2 != cold and v2 == cold.replace(b"/rest/api/3/", b"/rest/api/2/")
    # The bytes are the standard library's, pointed at the server.
    text = json.dumps(json.loads(cold), separators=(",", ":"), ensure_ascii=False)
    assert cold == text.encode()


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_orjson_writes_what_the_standard_library_writes(org, deployment):
    """``_dumps`` relies on it for every bean the sandbox can serve, changelogs included."""
    server = SandboxServer(org, deployment=deployment)
    selection = server._field_selection(["*all"])
    for issue in org.issues:
        bean = server._bean(issue, selection, with_changelog=True)
        expected = json.dumps(bean, separators=(",", ":"), ensure_ascii=False).encode()
        assert _dumps(bean) == expected, issue["key"]
    # What orjson refuses, the standard library writes.
    odd = {"n": 2**70, "text": '\u2028 ✓ \x7f \x1f "', "points": [0.5, 13.0, None, True]}
    assert _dumps(odd) == json.dumps(odd, separators=(",", ":"), ensure_ascii=False).encode()


def _reference_find(store: IssueStore, text: str, bounded: bool) -> list[int]:
    """What `find` answered before its indexes: every row tested, then sorted."""
    query = jql.compile_query(text, store.catalog, bounded=bounded)
    rows = [row for row in store._rows if row is not None and query.matches(row)]
    return [row.position for row in query.sort(rows)]


def test_indexed_searches_find_what_a_scan_finds(org):
    store = IssueStore(org)
    moments = sorted(i["fields"]["updated"] for i in org.issues)
    cuts = [dt.datetime.fromisoformat(moments[len(moments) * n // 5]) for n in range(1, 5)]
    orders = [
        "ORDER BY updated ASC, key ASC",
        "ORDER BY updated DESC",
        "ORDER BY updated, created DESC",
        "ORDER BY key",
        "ORDER BY created DESC, id",
        "",
    ]
    scopes = ['(project in ("PAY"))', "project in (PAY, MOB)", "issuetype = Bug", ""]
    for scope in scopes:
        for low, high in [(cuts[0], None), (None, cuts[2]), (cuts[1], cuts[3]), (cuts[3], cuts[0])]:
            clauses = [scope] if scope else []
            for operator, moment in ((">=", low), ("<", high)):
                if moment is not None:
                    clauses.append(f"updated {operator} {_minute(moment)}")
            clauses += ["updated > 1000"] if low and high else []  # a second lower bound
            for order in orders:
                text = f"{' AND '.join(clauses)} {order}".strip()
                bounded = bool(clauses)
                assert store.find(text, bounded=bounded) == _reference_find(store, text, bounded)


def test_indexed_searches_see_changes(org):
    store = IssueStore(org)
    query = 'project = PAY AND updated >= "2026/06/01 00:00" ORDER BY updated ASC, key ASC'
    before = store.find(query)
    store.now += dt.timedelta(days=1)
    first = store.beans[before[0]]["key"]
    store.update_issue(first, summary="Bumped")
    after = store.find(query)
    assert after == _reference_find(store, query, True)
    assert after[-1] == before[0] and after[:-1] == before[1:]
    store.delete_issue(store.beans[after[0]]["key"])
    assert store.find(query) == _reference_find(store, query, True) == after[1:]
