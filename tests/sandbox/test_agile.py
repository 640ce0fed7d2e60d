"""The agile API: one board per team, sprints on scrum boards, paged with startAt capped at 50."""

from __future__ import annotations

import pytest


def _walk(http, url: str, **params) -> list[dict]:
    pages, start_at = [], 0
    while True:
        page = http.get(url, params={**params, "startAt": start_at}).json()
        pages.append(page)
        start_at += len(page["values"])
        if page["isLast"]:
            return pages


def test_boards_page_with_a_cap_of_50(sandbox, http, org):
    url = f"{sandbox.url}/rest/agile/1.0/board"
    capped = http.get(url, params={"maxResults": 500}).json()
    assert capped["maxResults"] == 50 and capped["isLast"]
    pages = _walk(http, url, maxResults=2)
    assert [len(page["values"]) for page in pages] == [2, 2, 1]
    assert [page["isLast"] for page in pages] == [False, False, True]
    assert all(page["total"] == len(org.truth.teams) for page in pages)
    boards = [board for page in pages for board in page["values"]]
    assert {b["location"]["projectKey"]: b["id"] for b in boards} == {
        team.project_key: team.board_id for team in org.truth.teams.values()
    }


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"type": "kanban"}, {"PLAT", "DATA"}),
        ({"type": "scrum,kanban", "projectKeyOrId": "mob"}, {"MOB"}),
        ({"projectKeyOrId": "10000"}, {"PAY"}),
        ({"name": "SRCH"}, {"SRCH"}),
    ],
)
def test_board_filters(sandbox, http, params, keys):
    page = http.get(f"{sandbox.url}/rest/agile/1.0/board", params=params).json()
    assert {board["location"]["projectKey"] for board in page["values"]} == keys


def test_sprints_page_closed_then_active_then_future(sandbox, http, org):
    board_id = org.truth.teams["Payments"].board_id
    url = f"{sandbox.url}/rest/agile/1.0/board/{board_id}/sprint"
    assert http.get(url, params={"maxResults": 1000}).json()["maxResults"] == 50
    sprints = [s for page in _walk(http, url, maxResults=7) for s in page["values"]]
    assert [s["id"] for s in sprints] == [s["id"] for s in org.sprints[board_id]]
    assert [s["state"] for s in sprints][-3:] == ["active", "future", "future"]
    assert all(s["originBoardId"] == board_id for s in sprints)
    active = http.get(url, params={"state": "active,future"}).json()["values"]
    assert [s["state"] for s in active] == ["active", "future", "future"]
    # Every sprint an issue of the team's project names is on its board.
    sprint_field = org.truth.custom_field_ids["Sprint"]
    page = http.get(
        f"{sandbox.url}/rest/api/3/search/jql",
        params={"jql": "project = PAY", "fields": sprint_field, "maxResults": 100},
    ).json()
    named = {s["id"] for issue in page["issues"] for s in issue["fields"][sprint_field] or ()}
    assert named and named <= {s["id"] for s in sprints}


def test_sprint_list_errors(sandbox, http, org):
    kanban = org.truth.teams["Platform"].board_id
    assert http.get(f"{sandbox.url}/rest/agile/1.0/board/{kanban}/sprint").status_code == 400
    for missing in ("999", "nope"):
        assert http.get(f"{sandbox.url}/rest/agile/1.0/board/{missing}/sprint").status_code == 404
