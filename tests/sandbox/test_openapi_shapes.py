"""Every response the sandbox gives has the shape Atlassian's OpenAPI description promises."""

from __future__ import annotations

import pytest

# Issue field values, against the component schemas Jira uses for them.
_FIELD_SCHEMAS = {
    "issuetype": "IssueTypeDetails",
    "status": "StatusDetails",
    "priority": "Priority",
    "resolution": "Resolution",
    "project": "ProjectDetails",
    "assignee": "User",
    "reporter": "User",
    "creator": "User",
    "parent": "LinkedIssue",
}


@pytest.fixture(scope="module")
def varied_keys(org) -> list[str]:
    """Issues that between them carry every kind of value the generator produces."""
    cf = org.truth.custom_field_ids

    def first(predicate) -> str:
        return next(i["key"] for i in org.issues if predicate(i["fields"]))

    return [
        org.truth.noisy_issue_keys[0],
        first(lambda f: f["issuetype"]["name"] == "Initiative"),
        first(lambda f: f["issuelinks"]),
        first(lambda f: f["subtasks"]),
        first(lambda f: f["issuetype"]["subtask"]),
        first(lambda f: f[cf["Sprint"]] and len(f[cf["Sprint"]]) > 1),
        first(lambda f: f[cf["Flagged"]]),
        first(lambda f: f[cf["Team"]] and f[cf["Customer"]]),
        first(lambda f: f["resolution"] and f["resolution"]["name"] == "Won't Do"),
        first(lambda f: f["status"]["name"] == "In Progress"),
        first(lambda f: f["worklog"]["total"] > 20),
        first(lambda f: f["assignee"] and "emailAddress" not in f["assignee"]),
    ]


@pytest.mark.parametrize("version", ["2", "3"])
def test_server_info(sandbox, http, assert_schema, version):
    info = http.get(f"{sandbox.url}/rest/api/{version}/serverInfo").json()
    assert_schema(info, "ServerInformation")
    assert info["baseUrl"] == sandbox.url
    assert info["deploymentType"] == "Cloud"
    assert (info["version"], info["versionNumbers"]) == ("1001.0.0-SNAPSHOT", [1001, 0, 0])


def test_field_status_and_myself(sandbox, http, assert_schema):
    for version in ("2", "3"):
        base = f"{sandbox.url}/rest/api/{version}"
        assert_schema(http.get(f"{base}/field").json(), "FieldDetails", array=True)
        assert_schema(http.get(f"{base}/status").json(), "StatusDetails", array=True)
        myself = http.get(f"{base}/myself").json()
        assert_schema(myself, "User")
        assert myself["emailAddress"] == sandbox.email
        assert myself["timeZone"] == "Europe/Berlin"


def test_project_list(sandbox, http, assert_schema, org):
    for version in ("2", "3"):
        projects = http.get(f"{sandbox.url}/rest/api/{version}/project").json()
        assert_schema(projects, "Project", array=True)
        expected = {team.project_key for team in org.truth.teams.values()}
        assert {p["key"] for p in projects} == expected | {org.truth.program_project_key}


def test_search_page_with_all_fields_and_changelog(sandbox, http, assert_schema, varied_keys):
    varied = f"key in ({', '.join(varied_keys)})"
    for jql in (varied, "project = PLAT"):
        params = {
            "jql": jql,
            "fields": "*all",
            "expand": "changelog,names,schema",
            "maxResults": 100,
        }
        page = http.get(f"{sandbox.url}/rest/api/3/search/jql", params=params).json()
        assert_schema(page, "SearchAndReconcileResults")
        for issue in page["issues"]:
            _assert_field_values(issue["fields"], assert_schema)
        if jql == varied:
            assert {issue["key"] for issue in page["issues"]} == set(varied_keys)


def _assert_field_values(fields: dict, assert_schema) -> None:
    for name, schema in _FIELD_SCHEMAS.items():
        if fields.get(name) is not None:
            assert_schema(fields[name], schema)
    assert_schema(fields["components"], "ComponentJsonBean", array=True)
    assert_schema(fields["worklog"], "PageOfWorklogs")
    assert_schema(fields["subtasks"], "LinkedIssue", array=True)
    for link in fields["issuelinks"]:
        # IssueLink requires both sides; an issue's own links carry only the other side.
        assert_schema(link["type"], "IssueLinkType")
        (side,) = {"inwardIssue", "outwardIssue"} & link.keys()
        assert_schema(link[side], "LinkedIssue")


def test_search_page_without_fields(sandbox, http, assert_schema):
    page = http.get(f"{sandbox.url}/rest/api/3/search/jql", params={"jql": "project = PAY"}).json()
    assert_schema(page, "SearchAndReconcileResults")
    assert page["issues"] and all(issue.keys() == {"id"} for issue in page["issues"])


@pytest.mark.parametrize("version", ["2", "3"])
def test_issue_changelog_page(sandbox, http, assert_schema, org, version):
    key = org.truth.noisy_issue_keys[0]
    page = http.get(
        f"{sandbox.url}/rest/api/{version}/issue/{key}/changelog",
        params={"startAt": 100, "maxResults": 100},
    ).json()
    assert_schema(page, "PageBeanChangelog")
    assert page["self"].startswith(f"{sandbox.url}/rest/api/{version}/issue/{key}/changelog")


@pytest.mark.parametrize("version", ["2", "3"])
def test_issue(sandbox, http, assert_schema, varied_keys, version):
    for key in varied_keys:
        response = http.get(
            f"{sandbox.url}/rest/api/{version}/issue/{key}", params={"expand": "changelog"}
        )
        issue = response.json()
        assert_schema(issue, "IssueBean")
        _assert_field_values(issue["fields"], assert_schema)
        assert issue["key"] == key and issue["self"].startswith(
            f"{sandbox.url}/rest/api/{version}/"
        )


def test_worklog_page(sandbox, http, assert_schema, org):
    key = min(org.truth.worklog_issue_keys)
    page = http.get(f"{sandbox.url}/rest/api/3/issue/{key}/worklog").json()
    assert_schema(page, "PageOfWorklogs")
    assert page["worklogs"] and page["total"] == len(page["worklogs"])


def test_user_list(sandbox, http, assert_schema):
    users = http.get(f"{sandbox.url}/rest/api/3/users/search", params={"maxResults": 1000}).json()
    assert_schema(users, "User", array=True)


def test_bulk_changelogs(sandbox, http, assert_schema, org):
    body = {"issueIdsOrKeys": list(org.truth.noisy_issue_keys), "maxResults": 300}
    page = http.post(f"{sandbox.url}/rest/api/3/changelog/bulkfetch", json=body).json()
    assert_schema(page, "BulkChangelogResponseBean")
    assert page["nextPageToken"]


def test_agile_boards_and_sprints(sandbox, http, assert_agile_schema):
    boards = http.get(f"{sandbox.url}/rest/agile/1.0/board").json()
    assert_agile_schema(boards, "boards")
    for board in boards["values"]:
        if board["type"] == "scrum":
            sprints = http.get(f"{sandbox.url}/rest/agile/1.0/board/{board['id']}/sprint")
            assert_agile_schema(sprints.json(), "sprints")


def test_error_bodies(sandbox, http, assert_schema):
    search = f"{sandbox.url}/rest/api/3/search/jql"
    responses = [
        http.get(search, params={"jql": "project = PAY OR project = SRCH"}),
        http.get(f"{sandbox.url}/rest/api/3/myself", auth=("demo@example.com", "wrong")),
        http.get(f"{sandbox.url}/rest/api/3/issue/NOPE-1/changelog"),
        http.delete(f"{sandbox.url}/rest/api/3/field"),
        http.get(f"{sandbox.url}/rest/api/3/search", params={"jql": "project = PAY"}),
        http.get(f"{sandbox.url}/rest/agile/1.0/board/4/sprint"),  # a kanban board
    ]
    assert [r.status_code for r in responses] == [400, 401, 404, 405, 410, 400]
    for response in responses:
        assert response.headers["Content-Type"].startswith("application/json")
        assert_schema(response.json(), "ErrorCollection")
        assert response.json()["errorMessages"] and response.json()["errors"] == {}
