"""search/jql: token paging with short pages, the `fields` and `expand` parameters, the removed
search endpoint, auth, and the request log."""

from __future__ import annotations

import base64
import time
from http.client import HTTPConnection

import jira
import pytest
import requests

from ingest.sandbox import SandboxServer
from ingest.sandbox.server import SEARCH_REMOVED_MESSAGE

ALL_PROJECTS = "project in (PAY, SRCH, PLAT, MOB, DATA, STRAT)"


def _key_order(key: str) -> tuple[str, int]:
    project, number = key.rsplit("-", 1)
    return project, int(number)


def test_paging_yields_every_issue_once_in_a_stable_order(org, search_pages):
    pages = search_pages(ALL_PROJECTS, maxResults=100, fields="key")
    keys = [issue["key"] for page in pages for issue in page["issues"]]
    assert len(keys) == len(org.issues) == len(set(keys))
    assert keys == sorted(keys, key=_key_order)  # no ORDER BY: key ascending
    # Like Cloud, some pages before the last are short: only nextPageToken says whether more come.
    sizes = [len(page["issues"]) for page in pages[:-1]]
    assert sizes[0] == 100 and 0 < min(sizes) < 100
    assert [page["isLast"] for page in pages] == [False] * (len(pages) - 1) + [True]
    assert all("nextPageToken" in page for page in pages[:-1])
    assert "nextPageToken" not in pages[-1]
    again = [
        i["key"]
        for page in search_pages(ALL_PROJECTS, maxResults=100, fields="key")
        for i in page["issues"]
    ]
    assert again == keys


def test_pycontribs_client_fetches_every_issue(sandbox, org):
    client = jira.JIRA(
        server=sandbox.url, basic_auth=(sandbox.email, sandbox.api_token), max_retries=0
    )
    logged_before = len(sandbox.request_log)
    issues = client.enhanced_search_issues("project = PAY", maxResults=0)
    expected = {i["key"] for i in org.issues if i["fields"]["project"]["key"] == "PAY"}
    assert len(issues) == len(expected)
    assert {issue.key for issue in issues} == expected
    assert {issue.fields.project.key for issue in issues} == {"PAY"}
    searches = [r for r in sandbox.request_log[logged_before:] if r.path.endswith("/search/jql")]
    # The client pages through the v2 endpoint, asking for 100 at a time, when asked for all.
    assert {r.path for r in searches} == {"/rest/api/2/search/jql"}
    assert len(searches) > len(expected) / 100
    assert all(r.query["maxResults"] == ["100"] and r.status == 200 for r in searches)


def test_post_search_pages_like_get(sandbox, http, search_pages):
    get_ids = [
        i["id"] for page in search_pages("project = MOB", maxResults=40) for i in page["issues"]
    ]
    post_ids, token = [], None
    while True:
        body = {
            "jql": "project = MOB",
            "maxResults": 40,
            "fields": ["summary", "status"],
            "expand": "names",
            **({"nextPageToken": token} if token else {}),
        }
        page = http.post(f"{sandbox.url}/rest/api/3/search/jql", json=body).json()
        assert page["names"] == {"summary": "Summary", "status": "Status"}
        assert all(issue["fields"].keys() == {"summary", "status"} for issue in page["issues"])
        post_ids += [issue["id"] for issue in page["issues"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert post_ids == get_ids


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("fields", "summary"), ("fields", "status")], lambda every: {"summary", "status"}),
        ([("fields", "summary,status")], lambda every: {"summary", "status"}),
        ([("fields", "summary, status,nonexistent")], lambda every: {"summary", "status"}),
        (
            [("fields", "*all"), ("fields", "-labels,-summary")],
            lambda every: every - {"labels", "summary"},
        ),
        ([("fields", "*navigable")], lambda every: every - {"worklog"}),  # not navigable
    ],
)
def test_fields_parameter_forms(sandbox, http, org, params, expected):
    every = next(i["fields"] for i in org.issues if i["key"] == "PAY-1").keys()
    response = http.get(
        f"{sandbox.url}/rest/api/3/search/jql", params=[("jql", "key = PAY-1"), *params]
    )
    (issue,) = response.json()["issues"]
    assert issue["fields"].keys() == expected(every)
    assert {"id", "key", "self", "expand"} <= issue.keys()


def test_page_size_default_and_caps(org, http, sandbox):
    def page_size(server, **params):
        response = http.get(
            f"{server.url}/rest/api/3/search/jql", params={"jql": "project = PAY", **params}
        )
        return len(response.json()["issues"])

    assert page_size(sandbox) == 50
    assert page_size(sandbox, maxResults=500) == 100
    assert page_size(sandbox, maxResults=7) == 7
    with SandboxServer(org, page_size_cap=13) as small:
        assert page_size(small, maxResults=100) == 13


@pytest.mark.parametrize("version", ["2", "3"])
def test_the_removed_search_endpoint_answers_410(sandbox, http, assert_schema, version):
    url = f"{sandbox.url}/rest/api/{version}/search"
    for response in (
        http.get(url, params={"jql": "project = PAY", "startAt": 0}),
        http.post(url, json={"jql": "project = PAY", "startAt": 0, "maxResults": 50}),
    ):
        assert response.status_code == 410
        assert_schema(response.json(), "ErrorCollection")
        assert response.json()["errorMessages"] == [SEARCH_REMOVED_MESSAGE]
        assert "/rest/api/3/search/jql" in SEARCH_REMOVED_MESSAGE


def test_approximate_count(sandbox, http, org, assert_schema):
    url = f"{sandbox.url}/rest/api/3/search/approximate-count"
    count = http.post(url, json={"jql": "project = MOB"}).json()
    assert_schema(count, "JQLCountResultsBean")
    assert count == {"count": sum(i["key"].startswith("MOB-") for i in org.issues)}
    assert http.post(url, json={"jql": "order by key"}).status_code == 400  # unbounded


def test_next_page_token_is_bound_to_its_query(sandbox, http):
    search = f"{sandbox.url}/rest/api/3/search/jql"
    token = http.get(search, params={"jql": "project = PAY"}).json()["nextPageToken"]
    for jql, bad_token in (("project = SRCH", token), ("project = PAY", "not-a-token")):
        response = http.get(search, params={"jql": jql, "nextPageToken": bad_token})
        assert response.status_code == 400
        assert response.json()["errorMessages"]


def test_malformed_requests_are_rejected(sandbox, http):
    search = f"{sandbox.url}/rest/api/3/search/jql"
    for response in (
        http.get(search, params={"jql": "project = PAY", "maxResults": "many"}),
        http.post(search, data=b"{not json", headers={"Content-Type": "application/json"}),
        http.post(search, json={"jql": "project = PAY", "maxResults": "10"}),
    ):
        assert response.status_code == 400
        assert response.json()["errorMessages"]


@pytest.mark.parametrize(
    "path",
    [
        "serverInfo",
        "field",
        "status",
        "myself",
        "search/jql?jql=project%3DPAY",
        "issue/PAY-1/changelog",
        "no/such/thing",
    ],
)
def test_every_endpoint_needs_the_right_credentials(sandbox, http, path):
    url = f"{sandbox.url}/rest/api/3/{path}"
    for auth in (None, (sandbox.email, "wrong-token"), ("someone@example.com", sandbox.api_token)):
        response = requests.get(url, auth=auth)  # not the session: it would add its credentials
        assert response.status_code == 401
        assert response.json()["errorMessages"]
    # Cloud API tokens go with basic auth only; a bearer token is for OAuth, not for them.
    bearer = {"Authorization": f"Bearer {sandbox.api_token}"}
    assert requests.get(url, headers=bearer).status_code == 401
    assert http.get(url).status_code == (404 if path == "no/such/thing" else 200)


def test_request_log_records_each_request(sandbox, http):
    search = f"{sandbox.url}/rest/api/3/search/jql"
    before = time.monotonic()
    http.get(search, params=[("jql", "key = PAY-2"), ("fields", "summary"), ("fields", "status")])
    http.post(search, json={"jql": "key = PAY-3", "fields": ["summary"]})
    http.get(f"{sandbox.url}/rest/api/3/myself", auth=("demo@example.com", "nope"))
    get, post, denied = sandbox.request_log[-3:]
    assert before <= get.at <= post.at <= denied.at <= time.monotonic()
    assert get.headers["Authorization"] == "Basic" == denied.headers["Authorization"]
    assert post.headers["Content-Type"] == "application/json"
    secrets = (sandbox.api_token, base64.b64encode(f"{sandbox.email}:".encode()).decode()[:8])
    assert not any(s in repr(record) for s in secrets for record in sandbox.request_log)
    assert (get.method, get.path, get.status, get.body) == (
        "GET",
        "/rest/api/3/search/jql",
        200,
        None,
    )
    assert get.query == {"jql": ["key = PAY-2"], "fields": ["summary", "status"]}
    assert (post.method, post.query, post.status) == ("POST", {}, 200)
    assert post.body == {"jql": "key = PAY-3", "fields": ["summary"]}
    assert (denied.path, denied.status) == ("/rest/api/3/myself", 401)


def test_request_log_keeps_only_the_auth_scheme_however_it_is_spelled(sandbox):
    secret = base64.b64encode(f"{sandbox.email}:{sandbox.api_token}".encode()).decode()
    connection = HTTPConnection(sandbox.url.removeprefix("http://"))
    connection.request("GET", "/rest/api/3/myself", headers={"authorization": f"Basic {secret}"})
    assert connection.getresponse().status == 200
    connection.close()
    record = sandbox.request_log[-1]
    assert record.headers["authorization"] == "Basic" and secret not in repr(record)


def test_a_stopped_server_drops_kept_alive_connections(org):
    with requests.Session() as session, SandboxServer(org) as server:
        session.auth = (server.email, server.api_token)
        assert session.get(f"{server.url}/rest/api/3/myself").status_code == 200
        server.stop()
        with pytest.raises(requests.ConnectionError):
            session.get(f"{server.url}/rest/api/3/myself", timeout=5)
