"""Data Center mode: v2 only, bearer tokens, classic offset search within a 10,000-result window,
and the Data Center dialect of the same issues."""

from __future__ import annotations

import re

import pytest
import requests

from ingest.sandbox import SandboxServer, generate_org
from ingest.sandbox.server import RESULT_WINDOW

_SPRINT = re.compile(r"com\.atlassian\.greenhopper\.service\.sprint\.Sprint@[0-9a-f]+\[(.*)\]")
_SPRINT_ATTRIBUTES = [
    "id",
    "rapidViewId",
    "state",
    "name",
    "startDate",
    "endDate",
    "completeDate",
    "sequence",
    "goal",
]


def _search(dc_sandbox, dc_http, **params) -> requests.Response:
    return dc_http.get(f"{dc_sandbox.url}/rest/api/2/search", params=params)


def _sprint_attributes(text: str) -> dict[str, str]:
    """Parse a sprint string; the goal comes last, so a comma in it cannot mislead."""
    listed = _SPRINT.fullmatch(text)[1]
    values = {}
    for name, following in zip(_SPRINT_ATTRIBUTES, [*_SPRINT_ATTRIBUTES[1:], None], strict=True):
        prefix = f"{name}="
        assert listed.startswith(prefix), (name, listed)
        end = len(listed) if following is None else listed.index(f",{following}=")
        values[name], listed = listed[len(prefix) : end], listed[end + 1 :]
    return values


def test_server_info_says_server_and_version_9(dc_sandbox, dc_http, assert_schema):
    info = dc_http.get(f"{dc_sandbox.url}/rest/api/2/serverInfo").json()
    assert_schema(info, "ServerInformation")
    assert (info["deploymentType"], info["versionNumbers"]) == ("Server", [9, 12, 0])
    assert info["serverTime"].endswith(("+0100", "+0200"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rest/api/3/serverInfo"),
        ("GET", "/rest/api/3/search"),
        ("GET", "/rest/api/2/search/jql?jql=project%3DPAY"),
        ("POST", "/rest/api/2/changelog/bulkfetch"),
        ("GET", "/rest/api/2/issue/PAY-1/changelog"),
        ("GET", "/rest/api/2/users/search"),
    ],
)
def test_cloud_only_endpoints_do_not_exist(dc_sandbox, dc_http, method, path):
    response = dc_http.request(
        method, f"{dc_sandbox.url}{path}", json={} if method == "POST" else None
    )
    assert response.status_code == 404


def test_personal_access_tokens_and_basic_auth(dc_sandbox):
    url = f"{dc_sandbox.url}/rest/api/2/myself"
    bearer = {"Authorization": f"Bearer {dc_sandbox.api_token}"}
    assert requests.get(url, headers=bearer).status_code == 200
    assert requests.get(url, auth=(dc_sandbox.email, dc_sandbox.api_token)).status_code == 200
    for headers in ({"Authorization": "Bearer wrong"}, {}):
        assert requests.get(url, headers=headers).status_code == 401
    myself = requests.get(url, headers=bearer).json()
    assert myself["name"] == "portfolio.reporter" and myself["key"].startswith("JIRAUSER")
    assert "accountId" not in myself and myself["emailAddress"] == dc_sandbox.email


def test_classic_search_pages_by_start_at(dc_sandbox, dc_http, org, assert_schema):
    first = _search(dc_sandbox, dc_http, jql="project = PAY").json()
    assert_schema(first, "SearchResults")
    total = sum(i["key"].startswith("PAY-") for i in org.issues)
    assert (first["startAt"], first["maxResults"], first["total"]) == (0, 50, total)
    assert len(first["issues"]) == 50
    assert all(issue["fields"] for issue in first["issues"])  # *navigable by default
    capped = _search(dc_sandbox, dc_http, jql="project = PAY", maxResults=5000).json()
    assert capped["maxResults"] == 1000 and len(capped["issues"]) == total
    keys, start_at = [], 0
    while start_at < total:
        page = _search(dc_sandbox, dc_http, jql="project = PAY", startAt=start_at, maxResults=90)
        keys += [issue["key"] for issue in page.json()["issues"]]
        start_at += 90
    assert keys == [f"PAY-{n}" for n in range(1, total + 1)]
    counted = _search(dc_sandbox, dc_http, jql="project = PAY", maxResults=0).json()
    assert (counted["total"], counted["issues"]) == (total, [])
    posted = dc_http.post(
        f"{dc_sandbox.url}/rest/api/2/search",
        json={"jql": "project = PAY", "startAt": 90, "maxResults": 90, "fields": ["summary"]},
    ).json()
    assert [i["key"] for i in posted["issues"]] == keys[90:180]
    assert all(i["fields"].keys() == {"summary"} for i in posted["issues"])


def test_unbounded_jql_is_allowed(dc_sandbox, dc_http, org):
    for jql in ("", "ORDER BY created DESC"):
        page = _search(dc_sandbox, dc_http, jql=jql, maxResults=0).json()
        assert page["total"] == len(org.issues)


@pytest.mark.parametrize(
    ("start_at", "max_results", "status"),
    [
        (RESULT_WINDOW - 50, 50, 200),
        (RESULT_WINDOW - 49, 50, 400),
        (RESULT_WINDOW - 1000, 1000, 200),
        (RESULT_WINDOW - 1000, 5000, 200),  # capped at 1000 first
        (RESULT_WINDOW - 999, 1000, 400),
        (RESULT_WINDOW, 0, 200),
    ],
)
def test_the_result_window_ends_at_10000(dc_sandbox, dc_http, start_at, max_results, status):
    response = _search(dc_sandbox, dc_http, jql="", startAt=start_at, maxResults=max_results)
    assert response.status_code == status
    if status == 400:
        (message,) = response.json()["errorMessages"]
        assert "10000" in message and "updated" in message


def test_issues_speak_the_data_center_dialect(dc_sandbox, dc_http, org):
    cf = org.truth.custom_field_ids
    cloud = {issue["key"]: issue["fields"] for issue in org.issues}
    teams = {t.team_field_id: t.datacenter_team_id for t in org.truth.teams.values()}
    served, start_at = [], 0
    while start_at < len(org.issues):
        page = _search(
            dc_sandbox, dc_http, jql="", fields="*all", startAt=start_at, maxResults=1000
        )
        served += page.json()["issues"]
        start_at += 1000
    assert len(served) == len(org.issues)
    seen_sprints = 0
    for issue in served:
        fields, original = issue["fields"], cloud[issue["key"]]
        level = original["issuetype"]["hierarchyLevel"]
        parent = (original.get("parent") or {}).get("key")
        assert "hierarchyLevel" not in fields["issuetype"]
        assert "statuscategorychangedate" not in fields
        assert (fields.get("parent") or {}).get("key") == (parent if level == -1 else None)
        assert fields[cf["Epic Link"]] == (parent if level == 0 else None)
        assert fields[cf["Parent Link"]] == (parent if level == 1 else None)
        assert fields["created"] == original["created"]  # the same +0100 style
        assert fields[cf["Team"]] == (original[cf["Team"]] and teams[original[cf["Team"]]["id"]])
        for user in filter(None, (fields["assignee"], fields["reporter"], fields["creator"])):
            assert "accountId" not in user and user["key"].startswith("JIRAUSER")
        for text, value in zip(
            fields[cf["Sprint"]] or (), original[cf["Sprint"]] or (), strict=True
        ):
            attributes = _sprint_attributes(text)
            assert attributes["id"] == str(value["id"]) == attributes["sequence"]
            assert attributes["rapidViewId"] == str(value["boardId"])
            assert (attributes["state"], attributes["name"]) == (
                value["state"].upper(),
                value["name"],
            )
            assert attributes["completeDate"] == value.get("completeDate", "<null>")
            seen_sprints += 1
    assert seen_sprints


def test_changelogs_are_embedded_whole_with_user_keys(dc_sandbox, dc_http, org):
    key = org.truth.noisy_issue_keys[0]
    (issue,) = _search(dc_sandbox, dc_http, jql=f"key = {key}", expand="changelog").json()["issues"]
    changelog, full = issue["changelog"], org.changelogs[issue["id"]]
    assert changelog["total"] == changelog["maxResults"] == len(changelog["histories"]) == len(full)
    assert [h["id"] for h in changelog["histories"]] == [h["id"] for h in full]
    assert all("accountId" not in h["author"] for h in changelog["histories"])
    assignments = [
        item for h in changelog["histories"] for item in h["items"] if item["field"] == "assignee"
    ]
    assert assignments and all(item["to"].startswith("JIRAUSER") for item in assignments)


def test_field_list_follows_data_center_conventions(dc_sandbox, dc_http, org):
    fields = {f["id"]: f for f in dc_http.get(f"{dc_sandbox.url}/rest/api/2/field").json()}
    cf = org.truth.custom_field_ids
    assert not any("key" in field for field in fields.values())
    assert "parent" not in fields and "statuscategorychangedate" not in fields
    assert fields[cf["Sprint"]]["schema"]["items"] == "string"
    assert (
        fields[cf["Parent Link"]]["schema"]["custom"] == "com.atlassian.jpo:jpo-custom-field-parent"
    )
    assert all(
        not name.endswith("]") or name.startswith("cf[")
        for field in fields.values()
        for name in field["clauseNames"]
    )


def test_worklogs_and_boards_are_served_too(dc_sandbox, dc_http, org):
    key = min(org.truth.worklog_issue_keys)
    page = dc_http.get(f"{dc_sandbox.url}/rest/api/2/issue/{key}/worklog").json()
    assert page["total"] and all("accountId" not in w["author"] for w in page["worklogs"])
    boards = dc_http.get(f"{dc_sandbox.url}/rest/agile/1.0/board").json()
    assert boards["total"] == len(org.boards)


def test_both_deployments_answer_deterministically(sandbox, dc_sandbox, http, dc_http):
    """A second server on a second organisation of the same seed gives the same bytes."""
    requests_made = [
        (sandbox, http, "/rest/api/3/search/jql", {"jql": "project = DATA", "fields": "*all"}),
        (
            dc_sandbox,
            dc_http,
            "/rest/api/2/search",
            {"jql": "", "fields": "*all", "expand": "changelog"},
        ),
    ]
    again = generate_org(seed=7)
    for server, session, path, params in requests_made:
        options = {"deployment": server.deployment, "api_token": server.api_token}
        with SandboxServer(again, **options) as twin:
            ours = session.get(f"{server.url}{path}", params=params).text
            theirs = session.get(f"{twin.url}{path}", params=params).text
        assert ours.replace(server.url, "") == theirs.replace(twin.url, "")
