"""Typed rows from Jira's wire format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ingest.fields import FieldMap, FieldRef
from ingest.jira_dates import parse_jira_datetime
from ingest.normalize import changelog_rows, issue_row

STORY_POINTS = FieldRef("customfield_10100", "Story Points", "float")
STORY_POINT_ESTIMATE = FieldRef("customfield_10101", "Story point estimate", "jsw-story-points")
FIELD_MAP = FieldMap(
    story_points=STORY_POINT_ESTIMATE,
    sprint=FieldRef("customfield_10200", "Sprint", "gh-sprint"),
    epic_link=FieldRef("customfield_10300", "Epic Link", "gh-epic-link"),
    team=FieldRef("customfield_10400", "Team", "rm-teams-custom-field-team"),
    parent_link=FieldRef("customfield_10500", "Parent Link", "jpo-custom-field-parent"),
    decisions=(),
    story_point_fields=(STORY_POINT_ESTIMATE, STORY_POINTS),
)

ISSUE = {
    "id": "10042",
    "key": "PAY-7",
    "fields": {
        "summary": "Retry card payments",
        "issuetype": {"name": "Story", "subtask": False, "hierarchyLevel": 0},
        "project": {"key": "PAY", "name": "Payments"},
        "status": {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        "labels": ["tier:linear"],
        "components": [{"id": "1", "name": "api"}],
        "assignee": {"accountId": "abc"},
        "created": "2025-08-01T10:15:00.000+0200",
        "updated": "2025-08-03T09:00:00.000+0000",
        "duedate": "2025-09-30",
        "parent": {"id": "10001", "key": "PAY-1"},
        "customfield_10100": 5,
        "customfield_10200": [{"id": 4, "name": "PAY Sprint 4", "state": "closed"}],
        "customfield_10300": "PAY-1",
        "customfield_10400": {"id": "t-1", "name": "Payments Core", "title": "Payments Core"},
    },
    "changelog": {
        "histories": [
            {
                "id": "500",
                "created": "2025-08-02T08:00:00.000+0000",
                "author": {"accountId": "abc"},
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "from": "1",
                        "fromString": "To Do",
                        "to": "3",
                        "toString": "In Progress",
                    },
                    {
                        "field": "assignee",
                        "fieldtype": "jira",
                        "fieldId": "assignee",
                        "from": None,
                        "fromString": None,
                        "to": "abc",
                        "toString": "Ana",
                    },
                ],
            }
        ]
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-01T10:15:00.000+0000", datetime(2025, 8, 1, 10, 15, tzinfo=UTC)),
        (
            "2025-08-01T10:15:00.000+0530",
            datetime(2025, 8, 1, 10, 15, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("2025-08-01T10:15:00.000Z", datetime(2025, 8, 1, 10, 15, tzinfo=UTC)),
        (None, None),
    ],
)
def test_jira_datetimes_keep_their_offset(text, expected):
    assert parse_jira_datetime(text) == expected


def test_issue_row_types_system_and_discovered_custom_fields():
    row = issue_row(ISSUE, FIELD_MAP)
    assert row["issue_id"] == "10042"
    assert row["status_category"] == "indeterminate"
    assert row["hierarchy_level"] == 0
    assert row["components"] == ["api"]
    assert row["created_at"] == datetime(2025, 8, 1, 8, 15, tzinfo=UTC)
    assert row["due_date"] == date(2025, 9, 30)
    assert (row["parent_key"], row["epic_link_key"]) == ("PAY-1", "PAY-1")
    # "Story point estimate" is empty on this issue; its "Story Points" value counts
    assert row["story_points"] == 5.0
    assert (row["team_id"], row["team_name"]) == ("t-1", "Payments Core")
    assert row["sprint_ids"] == [4]
    assert '"key":"PAY-7"' in row["raw_json"]


def test_fields_missing_on_this_instance_are_null():
    row = issue_row(ISSUE, FieldMap(None, None, None, None, None, ()))
    assert (row["story_points"], row["team_id"], row["epic_link_key"], row["sprint_ids"]) == (
        None,
        None,
        None,
        [],
    )


def test_changelog_rows_one_per_changed_field():
    rows = changelog_rows(ISSUE)
    assert [(r["history_id"], r["item_index"], r["field_id"]) for r in rows] == [
        ("500", 0, "status"),
        ("500", 1, "assignee"),
    ]
    assert rows[0]["to_value"] == "3"
    assert rows[0]["author_account_id"] == "abc"
