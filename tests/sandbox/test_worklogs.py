"""Worklogs: embedded in issues truncated at 20, complete from the paged worklog endpoint."""

from __future__ import annotations

import pytest

from ingest.sandbox.store import epoch_ms


@pytest.fixture(scope="module")
def long_logged(org) -> dict:
    """The issue with the most worklogs."""
    issue_id = max(org.worklogs, key=lambda i: len(org.worklogs[i]))
    return next(issue for issue in org.issues if issue["id"] == issue_id)


def test_search_embeds_the_first_20_worklogs_and_the_total(sandbox, http, org, long_logged):
    page = http.get(
        f"{sandbox.url}/rest/api/3/search/jql",
        params={"jql": f"key = {long_logged['key']}", "fields": "worklog,timespent"},
    ).json()
    (issue,) = page["issues"]
    worklogs = org.worklogs[long_logged["id"]]
    embedded = issue["fields"]["worklog"]
    assert (embedded["startAt"], embedded["maxResults"]) == (0, 20)
    assert embedded["total"] == len(worklogs) > 20
    assert [w["id"] for w in embedded["worklogs"]] == [w["id"] for w in worklogs[:20]]
    assert issue["fields"]["timespent"] == sum(w["timeSpentSeconds"] for w in worklogs)


@pytest.mark.parametrize("version", ["2", "3"])
def test_worklog_endpoint_pages_through_every_worklog(sandbox, http, org, long_logged, version):
    url = f"{sandbox.url}/rest/api/{version}/issue/{long_logged['key']}/worklog"
    ids, start_at = [], 0
    while True:
        page = http.get(url, params={"startAt": start_at, "maxResults": 8}).json()
        assert (page["startAt"], page["maxResults"]) == (start_at, 8)
        assert page["total"] == len(org.worklogs[long_logged["id"]])
        ids += [w["id"] for w in page["worklogs"]]
        start_at += 8
        if start_at >= page["total"]:
            break
    assert ids == [w["id"] for w in org.worklogs[long_logged["id"]]]
    assert all(w["self"].startswith(f"{sandbox.url}/rest/api/{version}/") for w in page["worklogs"])
    assert http.get(url).json()["maxResults"] == 5000  # the default


def test_worklogs_filtered_by_start(sandbox, http, org, long_logged):
    worklogs = org.worklogs[long_logged["id"]]
    middle = epoch_ms(worklogs[len(worklogs) // 2]["started"])
    page = http.get(
        f"{sandbox.url}/rest/api/3/issue/{long_logged['id']}/worklog",
        params={"startedAfter": middle, "startedBefore": middle + 1},
    ).json()
    assert [w["id"] for w in page["worklogs"]] == [
        w["id"] for w in worklogs if epoch_ms(w["started"]) == middle
    ]


def test_issues_without_worklogs_and_unknown_issues(sandbox, http, org):
    quiet = next(i for i in org.issues if i["id"] not in org.worklogs)
    page = http.get(f"{sandbox.url}/rest/api/3/issue/{quiet['key']}/worklog").json()
    assert (page["total"], page["worklogs"]) == (0, [])
    assert http.get(f"{sandbox.url}/rest/api/3/issue/NOPE-1/worklog").status_code == 404
