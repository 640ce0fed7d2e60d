"""Staging keeps the newest landed version of what Jira says, including what it stopped saying."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest


def story(updated: str) -> dict:
    moment = datetime.fromisoformat(updated).replace(tzinfo=UTC)
    return {
        "issue_id": "7",
        "issue_key": "PAY-7",
        "project_key": "PAY",
        "issue_type": "Story",
        "hierarchy_level": 0,
        "status_id": "1",
        "status_category": "new",
        "created_at": moment,
        "updated_at": moment,
    }


LINK = {
    "link_id": "900",
    "issue_id": "7",
    "link_type": "Blocks",
    "direction": "outward",
    "link_verb": "blocks",
    "other_issue_id": "8",
    "other_issue_key": "PAY-8",
}


WORKLOG = {
    "worklog_id": "300",
    "issue_id": "7",
    "started_at": datetime(2026, 3, 1, 9, tzinfo=UTC),
    "time_spent_seconds": 3600,
}


@pytest.fixture(scope="module")
def warehouse(build_warehouse):
    # b2 lands the story with a link and a worklog; b3 a newer version after both were removed
    return build_warehouse(
        [story("2026-03-01")],
        [],
        {"issues": [story("2026-03-01")], "issue_links": [LINK], "worklogs": [WORKLOG]},
        {"issues": [story("2026-03-05")], "issue_links": [], "worklogs": []},
    )


def test_a_link_removed_in_jira_is_gone_from_staging(warehouse):
    assert warehouse.sql("select count(*) from staging.stg_jira__issue_links").fetchall() == [(0,)]


def test_a_worklog_deleted_in_jira_is_gone_from_staging(warehouse):
    assert warehouse.sql("select count(*) from staging.stg_jira__worklogs").fetchall() == [(0,)]


def test_the_newest_version_of_an_issue_wins(warehouse):
    [(updated, batch)] = warehouse.sql(
        "select updated_at, landed_in_batch_id from staging.stg_jira__issues"
    ).fetchall()
    assert (updated.day, batch) == (5, "b3")
