"""Changes made by tests: the clock, updates, deletes and moves, seen through the API."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from ingest.sandbox.generator import format_jira_datetime

USER_ZONE = ZoneInfo("Europe/Berlin")


def _minute(moment: dt.datetime) -> str:
    """A JQL date value: the user's wall clock, to the minute."""
    return f'"{moment.astimezone(USER_ZONE):%Y/%m/%d %H:%M}"'


@pytest.fixture
def jira(private_sandbox, search_pages):
    """A private server, with ``keys(jql)``: the keys it finds, every page walked."""
    server = private_sandbox()

    def keys(jql: str) -> list[str]:
        pages = search_pages(jql, server=server, fields="key", maxResults=100)
        return [issue["key"] for page in pages for issue in page["issues"]]

    server.keys = keys
    return server


def test_the_clock_starts_at_as_of_and_moves_only_when_told(jira, http, org):
    assert jira.now == org.truth.now
    assert jira.advance(dt.timedelta(hours=2)) == org.truth.now + dt.timedelta(hours=2)
    info = http.get(f"{jira.url}/rest/api/3/serverInfo").json()
    assert info["serverTime"] == format_jira_datetime(jira.now)
    jira.now = org.truth.now
    assert jira.now == org.truth.now
    with pytest.raises(ValueError):
        jira.now = dt.datetime(2026, 11, 1)


def test_an_update_is_a_new_history_and_the_only_issue_updated_since(jira, http, org):
    issue = next(
        i
        for i in org.issues
        if i["key"].startswith("MOB-") and i["fields"]["status"]["name"] == "In Progress"
    )
    key, assigned = issue["key"], issue["fields"]["assignee"]["accountId"]
    member = next(m for m in org.truth.teams["Mobile"].member_account_ids if m != assigned)
    jira.advance(dt.timedelta(hours=1, seconds=30))
    bean = jira.update_issue(
        key, summary="Renamed", status="Done", labels=["b", "a"], assignee=member
    )
    # Seconds are beyond JQL: the minute of the change finds it, and nothing else is as recent.
    assert jira.keys(f"project = MOB AND updated >= {_minute(jira.now)}") == [key]
    assert jira.keys(f"updated > {_minute(jira.now)} AND project in (MOB, PAY)") == [key]
    fields = http.get(f"{jira.url}/rest/api/3/issue/{key}").json()["fields"]
    assert fields["updated"] == bean["fields"]["updated"] == format_jira_datetime(jira.now)
    assert fields["resolutiondate"] == fields["statuscategorychangedate"] == fields["updated"]
    assert (fields["summary"], fields["status"]["name"], fields["labels"]) == (
        "Renamed",
        "Done",
        ["a", "b"],
    )
    assert fields["resolution"]["name"] == "Done" and fields["assignee"]["accountId"] == member
    history = http.get(f"{jira.url}/rest/api/3/issue/{key}/changelog").json()["values"][-1]
    assert history["created"] == fields["updated"]
    assert history["author"]["accountId"] == org.myself["accountId"]
    assert {item["field"] for item in history["items"]} == {
        "summary",
        "status",
        "resolution",
        "labels",
        "assignee",
    }
    assert int(history["id"]) > max(int(h["id"]) for i in org.changelogs for h in org.changelogs[i])
    # The shared organisation is untouched.
    assert next(i for i in org.issues if i["key"] == key)["fields"]["summary"] != "Renamed"


def test_reopening_clears_the_resolution(jira, org):
    done = next(i["key"] for i in org.issues if i["fields"]["status"]["name"] == "Done")
    fields = jira.update_issue(done, status="In Progress")["fields"]
    assert fields["resolution"] is None and fields["resolutiondate"] is None
    assert fields["statuscategorychangedate"] == format_jira_datetime(jira.now)
    with pytest.raises(ValueError):
        jira.update_issue(done, status="Teleported")


def test_a_deleted_issue_is_gone_everywhere(jira, http, org):
    parent = next(i for i in org.issues if i["fields"]["subtasks"])
    subtask = parent["fields"]["subtasks"][0]["key"]
    jira.delete_issue(parent["key"])
    project = parent["fields"]["project"]["key"]
    remaining = jira.keys(f"project = {project} AND created >= {_minute(dt.datetime(2000, 1, 1))}")
    assert parent["key"] not in remaining and subtask not in remaining  # sub-tasks go too
    for path in ("", "/changelog", "/worklog"):
        for reference in (parent["key"], parent["id"], subtask):
            response = http.get(f"{jira.url}/rest/api/3/issue/{reference}{path}")
            assert response.status_code == 404
    assert http.post(
        f"{jira.url}/rest/api/3/search/jql", json={"jql": f"key = {parent['key']}"}
    ).json()["errorMessages"]
    bulk = http.post(
        f"{jira.url}/rest/api/3/changelog/bulkfetch", json={"issueIdsOrKeys": [parent["key"]]}
    ).json()
    assert bulk["issueChangeLogs"] == []
    with pytest.raises(KeyError):
        jira.delete_issue(parent["key"])


def test_a_moved_issue_keeps_its_id_and_answers_to_its_old_key(jira, http, org):
    story = next(
        i for i in org.issues if i["key"].startswith("PAY-") and not i["fields"]["subtasks"]
    )
    old_key, issue_id = story["key"], story["id"]
    mobile = sum(i["key"].startswith("MOB-") for i in org.issues)
    new_key = jira.move_issue(old_key, "MOB")
    assert new_key == f"MOB-{mobile + 1}"
    for reference in (old_key, new_key, issue_id):
        issue = http.get(f"{jira.url}/rest/api/3/issue/{reference}").json()
        assert (issue["id"], issue["key"], issue["fields"]["project"]["key"]) == (
            issue_id,
            new_key,
            "MOB",
        )
    history = http.get(f"{jira.url}/rest/api/3/issue/{old_key}/changelog").json()["values"][-1]
    assert [(i["field"], i["fromString"], i["toString"]) for i in history["items"]] == [
        ("Key", old_key, new_key),
        ("project", "Payments", "Mobile"),
    ]
    assert jira.keys(f"key = {old_key}") == [new_key]
    assert new_key in jira.keys("project = MOB") and old_key not in jira.keys("project = PAY")
    with_subtasks = next(i["key"] for i in org.issues if i["fields"]["subtasks"])
    with pytest.raises(ValueError):
        jira.move_issue(with_subtasks, "DATA")


def test_a_change_during_a_scan_shifts_the_pages_as_in_jira(jira, http, org):
    """Paging by offset over `ORDER BY updated`: an issue updated mid-scan moves to the end, so
    the scan sees it twice and misses the one that slid into its place."""
    jql = "project = PAY ORDER BY updated ASC"
    first_page_key = jira.keys(jql)[0]
    jira.on_request(
        "search/jql$", after=1, action=lambda: jira.update_issue(first_page_key, summary="Moved")
    )
    seen, token = [], None
    while True:
        body = {"jql": jql, "fields": ["key"], "maxResults": 40}
        page = http.post(
            f"{jira.url}/rest/api/3/search/jql",
            json={**body, "nextPageToken": token} if token else body,
        ).json()
        seen += [issue["key"] for issue in page["issues"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    everything = {i["key"] for i in org.issues if i["key"].startswith("PAY-")}
    assert seen.count(first_page_key) == 2 and seen[-1] == first_page_key
    assert len(everything - set(seen)) == 1


def test_changes_and_reads_can_run_concurrently(jira, http):
    errors = []

    def read() -> None:
        for _ in range(15):
            response = http.get(
                f"{jira.url}/rest/api/3/search/jql",
                params={"jql": "project = DATA ORDER BY updated DESC", "fields": "summary"},
            )
            if response.status_code != 200:
                errors.append(response.text)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for n in range(30):
        jira.advance(dt.timedelta(minutes=1))
        jira.update_issue(f"DATA-{n + 1}", summary=f"Edit {n}")
    for reader in readers:
        reader.join()
    assert errors == []
    latest = jira.keys(f"project = DATA AND updated >= {_minute(jira.now)}")
    assert latest == ["DATA-30"]
