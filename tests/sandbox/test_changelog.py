"""Changelogs: truncated when embedded in search results, complete from the changelog endpoint."""

from __future__ import annotations

import pytest

from ingest.sandbox import SandboxServer


def _essence(histories: list[dict]) -> list[tuple]:
    """What a history says, without its links (the server rewrites them to its own address)."""
    return [(h["id"], h["created"], h["author"]["accountId"], h["items"]) for h in histories]


def _walk_changelog(http, first_url: str) -> list[dict]:
    pages, url = [], first_url
    while url:
        response = http.get(url)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        url = pages[-1].get("nextPage")
    return pages


def test_embedded_changelog_is_truncated_for_long_histories(sandbox, http, org):
    noisy = org.truth.noisy_issue_keys
    assert len(noisy) >= 3
    page = http.get(
        f"{sandbox.url}/rest/api/3/search/jql",
        params={
            "jql": f"key in ({', '.join(noisy)})",
            "fields": "summary",
            "expand": "changelog",
        },
    ).json()
    assert len(page["issues"]) == len(noisy)
    for issue in page["issues"]:
        changelog = issue["changelog"]
        full = org.changelogs[issue["id"]]
        assert changelog["total"] == len(full) >= 250
        assert changelog["startAt"] == 0
        assert _essence(changelog["histories"]) == _essence(full[:100])  # the oldest first
        assert changelog["maxResults"] == len(changelog["histories"]) == 100


def test_short_changelogs_are_embedded_whole(sandbox, http, org):
    page = http.get(
        f"{sandbox.url}/rest/api/3/search/jql",
        params={
            "jql": "project = DATA",
            "fields": "summary",
            "expand": "changelog",
            "maxResults": 100,
        },
    ).json()
    short = [i for i in page["issues"] if len(org.changelogs[i["id"]]) <= 100]
    assert short
    for issue in short:
        assert _essence(issue["changelog"]["histories"]) == _essence(org.changelogs[issue["id"]])
        assert issue["changelog"]["total"] == len(issue["changelog"]["histories"])


@pytest.mark.parametrize(("version", "use_id"), [("3", False), ("2", True)])
def test_changelog_endpoint_pages_through_every_history(sandbox, http, org, version, use_id):
    key = org.truth.noisy_issue_keys[1]
    issue_id = next(i["id"] for i in org.issues if i["key"] == key)
    reference = issue_id if use_id else key
    pages = _walk_changelog(
        http, f"{sandbox.url}/rest/api/{version}/issue/{reference}/changelog?maxResults=70"
    )
    histories = [h for page in pages for h in page["values"]]
    assert _essence(histories) == _essence(org.changelogs[issue_id])
    assert [page["startAt"] for page in pages] == list(range(0, len(histories), 70))
    assert [page["isLast"] for page in pages] == [False] * (len(pages) - 1) + [True]
    assert all(page["total"] == len(histories) and page["maxResults"] == 70 for page in pages)
    assert "nextPage" not in pages[-1]


def test_changelog_page_size_defaults_to_and_is_capped_at_100(sandbox, http, org):
    key = org.truth.noisy_issue_keys[2]
    url = f"{sandbox.url}/rest/api/3/issue/{key}/changelog"
    assert len(http.get(url).json()["values"]) == 100
    assert http.get(url, params={"maxResults": 1000}).json()["maxResults"] == 100


def test_embedded_cap_is_configurable(org, http):
    key = org.truth.noisy_issue_keys[0]
    with SandboxServer(org, embedded_changelog_cap=5) as server:
        (issue,) = http.get(
            f"{server.url}/rest/api/3/search/jql",
            params={"jql": f"key = {key}", "expand": "changelog"},
        ).json()["issues"]
    assert issue.keys() == {"id", "changelog"}  # no fields asked for: the id-only form
    assert len(issue["changelog"]["histories"]) == 5
    assert issue["changelog"]["total"] == len(org.changelogs[issue["id"]])


def test_unknown_issue_is_404(sandbox, http):
    for reference in ("PAY-999999", "99999999"):
        response = http.get(f"{sandbox.url}/rest/api/3/issue/{reference}/changelog")
        assert response.status_code == 404
        assert response.json()["errorMessages"]


def _bulk_walk(http, url: str, body: dict) -> list[dict]:
    pages, token = [], None
    while True:
        response = http.post(url, json={**body, **({"nextPageToken": token} if token else {})})
        assert response.status_code == 200, response.text
        pages.append(response.json())
        token = pages[-1].get("nextPageToken")
        if token is None:
            return pages


def test_bulk_changelogs_page_across_issues_and_histories(sandbox, http, org):
    noisy = org.truth.noisy_issue_keys
    ids = {issue["key"]: issue["id"] for issue in org.issues}
    references = [noisy[0], ids[noisy[1]], "PAY-1", "PAY-2", "NOPE-1", "PAY-1"]
    pages = _bulk_walk(
        http,
        f"{sandbox.url}/rest/api/3/changelog/bulkfetch",
        {"issueIdsOrKeys": references, "maxResults": 70},
    )
    got: dict[str, list[dict]] = {}
    for page in pages:
        assert sum(len(log["changeHistories"]) for log in page["issueChangeLogs"]) <= 70
        for log in page["issueChangeLogs"]:
            got.setdefault(log["issueId"], []).extend(log["changeHistories"])
    wanted = sorted({ids[noisy[0]], ids[noisy[1]], ids["PAY-1"], ids["PAY-2"]}, key=int)
    assert list(got) == [i for i in wanted if org.changelogs[i]]  # by id; unknown ones left out
    for issue_id, histories in got.items():
        assert _essence(histories) == _essence(org.changelogs[issue_id])
    # A long history continues on the next page under the same issue id.
    assert any(
        page["issueChangeLogs"][-1]["issueId"] == following["issueChangeLogs"][0]["issueId"]
        for page, following in zip(pages, pages[1:], strict=False)
    )


def test_bulk_changelogs_filter_by_field(sandbox, http, org):
    key = org.truth.noisy_issue_keys[0]
    issue_id = next(i["id"] for i in org.issues if i["key"] == key)
    (page,) = _bulk_walk(
        http,
        f"{sandbox.url}/rest/api/3/changelog/bulkfetch",
        {"issueIdsOrKeys": [key], "fieldIds": ["status", "priority"]},
    )
    (log,) = page["issueChangeLogs"]
    expected = [
        [item for item in history["items"] if item["fieldId"] in ("status", "priority")]
        for history in org.changelogs[issue_id]
    ]
    assert [h["items"] for h in log["changeHistories"]] == [items for items in expected if items]


@pytest.mark.parametrize(
    "body",
    [
        {"issueIdsOrKeys": []},
        {"issueIdsOrKeys": [f"PAY-{n}" for n in range(1, 1002)]},
        {"issueIdsOrKeys": ["PAY-1"], "maxResults": 0},
        {"issueIdsOrKeys": ["PAY-1"], "fieldIds": [f"f{n}" for n in range(11)]},
        {"issueIdsOrKeys": "PAY-1"},
        {"issueIdsOrKeys": ["PAY-1"], "nextPageToken": "garbage"},
    ],
)
def test_bulk_changelogs_reject_invalid_requests(sandbox, http, body):
    response = http.post(f"{sandbox.url}/rest/api/3/changelog/bulkfetch", json=body)
    assert response.status_code == 400
    assert response.json()["errorMessages"]


def test_a_bulk_token_only_continues_its_own_request(sandbox, http, org):
    url = f"{sandbox.url}/rest/api/3/changelog/bulkfetch"
    key = org.truth.noisy_issue_keys[0]
    token = http.post(url, json={"issueIdsOrKeys": [key], "maxResults": 10}).json()["nextPageToken"]
    other = {"issueIdsOrKeys": [org.truth.noisy_issue_keys[1]], "nextPageToken": token}
    assert http.post(url, json=other).status_code == 400
