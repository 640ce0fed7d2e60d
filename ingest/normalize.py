"""Typed rows from Jira's wire format, one schema per landed table.

The raw issue JSON travels beside the typed columns so that nothing Jira said is lost and later
stages can derive new columns without a re-extraction. Cloud and Data Center differ in places (user
ids, the hierarchy, Sprint values); each difference is resolved here, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import polars as pl

from ingest.fields import FieldMap, parse_sprints
from ingest.jira_dates import parse_jira_datetime

ISSUE_SCHEMA = {
    "issue_id": pl.String,
    "issue_key": pl.String,
    "project_key": pl.String,
    "project_name": pl.String,
    "issue_type": pl.String,
    "hierarchy_level": pl.Int32,
    "is_subtask": pl.Boolean,
    "summary": pl.String,
    "status_id": pl.String,
    "status_name": pl.String,
    "status_category": pl.String,
    "priority": pl.String,
    "labels": pl.List(pl.String),
    "components": pl.List(pl.String),
    "assignee_account_id": pl.String,
    "reporter_account_id": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "updated_at": pl.Datetime("us", "UTC"),
    "resolved_at": pl.Datetime("us", "UTC"),
    "resolution": pl.String,
    "due_date": pl.Date,
    "parent_id": pl.String,
    "parent_key": pl.String,
    "epic_link_key": pl.String,
    "story_points": pl.Float64,
    "team_id": pl.String,
    "team_name": pl.String,
    "sprint_ids": pl.List(pl.Int64),
    "raw_json": pl.String,
}

CHANGELOG_SCHEMA = {
    "issue_id": pl.String,
    "history_id": pl.String,
    "item_index": pl.Int32,
    "changed_at": pl.Datetime("us", "UTC"),
    "author_account_id": pl.String,
    "field": pl.String,
    "field_id": pl.String,
    "field_type": pl.String,
    "from_value": pl.String,
    "from_string": pl.String,
    "to_value": pl.String,
    "to_string": pl.String,
}

WORKLOG_SCHEMA = {
    "worklog_id": pl.String,
    "issue_id": pl.String,
    "author_account_id": pl.String,
    "started_at": pl.Datetime("us", "UTC"),
    "time_spent_seconds": pl.Int64,
    "created_at": pl.Datetime("us", "UTC"),
    "updated_at": pl.Datetime("us", "UTC"),
}

ISSUE_LINK_SCHEMA = {
    "link_id": pl.String,
    "issue_id": pl.String,
    "link_type": pl.String,
    # outward: this issue <outward verb> the other ("blocks"); inward: the other blocks this one
    "direction": pl.String,
    "link_verb": pl.String,
    "other_issue_id": pl.String,
    "other_issue_key": pl.String,
}

USER_SCHEMA = {
    "account_id": pl.String,
    "display_name": pl.String,
    "email": pl.String,
    "active": pl.Boolean,
}

FIELD_SCHEMA = {
    "field_id": pl.String,
    "field_name": pl.String,
    "custom_type": pl.String,
    "schema_type": pl.String,
}

BOARD_SCHEMA = {
    "board_id": pl.Int64,
    "board_name": pl.String,
    "board_type": pl.String,
    "project_key": pl.String,
}

SPRINT_SCHEMA = {
    "sprint_id": pl.Int64,
    "board_id": pl.Int64,
    "sprint_name": pl.String,
    "state": pl.String,
    "goal": pl.String,
    "start_at": pl.Datetime("us", "UTC"),
    "end_at": pl.Datetime("us", "UTC"),
    "completed_at": pl.Datetime("us", "UTC"),
}

DELETION_SCHEMA = {
    "issue_id": pl.String,
    "detected_at": pl.Datetime("us", "UTC"),
}

STATUS_SCHEMA = {
    "status_id": pl.String,
    "status_name": pl.String,
    "status_category": pl.String,
}


def _name(value: Any, key: str = "name") -> str | None:
    return value.get(key) if isinstance(value, dict) else None


def _user_id(user: Any) -> str | None:
    """Cloud identifies people by accountId; Data Center by user key (or name)."""
    if not isinstance(user, dict):
        return None
    return user.get("accountId") or user.get("key") or user.get("name")


# Data Center omits `hierarchyLevel`; these are the levels of Jira's and Advanced Roadmaps'
# default type names there.
_DEFAULT_LEVELS = {"epic": 1, "initiative": 2}


def _hierarchy_level(issue_type: dict) -> int:
    if "hierarchyLevel" in issue_type:
        return int(issue_type["hierarchyLevel"])
    if issue_type.get("subtask"):
        return -1
    return _DEFAULT_LEVELS.get(str(issue_type.get("name", "")).lower(), 0)


def _parent(fields: dict, parent_link: Any) -> tuple[str | None, str | None]:
    """(id, key) of the parent: `parent`, else Advanced Roadmaps' Parent Link (Data Center)."""
    for candidate in (fields.get("parent"), parent_link):
        if isinstance(candidate, dict) and (candidate.get("id") or candidate.get("key")):
            parent_id = candidate.get("id")
            return (None if parent_id is None else str(parent_id)), candidate.get("key")
        if isinstance(candidate, str) and candidate:
            return None, candidate
    return None, None


def _team(value: Any) -> tuple[str | None, str | None]:
    """Cloud sends a team object; Data Center's Advanced Roadmaps sends the team's numeric id."""
    if isinstance(value, dict):
        return (
            None if value.get("id") is None else str(value["id"]),
            value.get("name") or value.get("title"),
        )
    if value is None:
        return None, None
    return str(value), None


def issue_row(issue: dict, field_map: FieldMap) -> dict:
    fields = issue.get("fields") or {}

    def custom(ref) -> Any:
        return fields.get(ref.id) if ref is not None else None

    status = fields.get("status") or {}
    issue_type = fields.get("issuetype") or {}
    project = fields.get("project") or {}
    parent_id, parent_key = _parent(fields, custom(field_map.parent_link))
    team_id, team_name = _team(custom(field_map.team))
    story_points = next(
        (value for ref in field_map.story_point_fields if (value := custom(ref)) is not None), None
    )
    due = fields.get("duedate")
    return {
        "issue_id": str(issue["id"]),
        "issue_key": issue["key"],
        "project_key": project.get("key"),
        "project_name": project.get("name"),
        "issue_type": issue_type.get("name"),
        "hierarchy_level": _hierarchy_level(issue_type),
        "is_subtask": bool(issue_type.get("subtask", False)),
        "summary": fields.get("summary"),
        "status_id": None if status.get("id") is None else str(status["id"]),
        "status_name": status.get("name"),
        "status_category": _name(status.get("statusCategory"), "key"),
        "priority": _name(fields.get("priority")),
        "labels": list(fields.get("labels") or []),
        "components": [c["name"] for c in fields.get("components") or [] if "name" in c],
        "assignee_account_id": _user_id(fields.get("assignee")),
        "reporter_account_id": _user_id(fields.get("reporter")),
        "created_at": parse_jira_datetime(fields.get("created")),
        "updated_at": parse_jira_datetime(fields.get("updated")),
        "resolved_at": parse_jira_datetime(fields.get("resolutiondate")),
        "resolution": _name(fields.get("resolution")),
        "due_date": date.fromisoformat(due) if due else None,
        "parent_id": parent_id,
        "parent_key": parent_key,
        "epic_link_key": custom(field_map.epic_link),
        "story_points": None if story_points is None else float(story_points),
        "team_id": team_id,
        "team_name": team_name,
        "sprint_ids": [sprint.id for sprint in parse_sprints(custom(field_map.sprint))],
        "raw_json": orjson.dumps(issue, option=orjson.OPT_SORT_KEYS).decode(),
    }


def changelog_rows(issue: dict) -> list[dict]:
    rows = []
    for history in (issue.get("changelog") or {}).get("histories", []):
        changed_at = parse_jira_datetime(history.get("created"))
        author = _user_id(history.get("author"))
        for index, item in enumerate(history.get("items", [])):
            rows.append(
                {
                    "issue_id": str(issue["id"]),
                    "history_id": str(history["id"]),
                    "item_index": index,
                    "changed_at": changed_at,
                    "author_account_id": author,
                    "field": item.get("field"),
                    "field_id": item.get("fieldId"),
                    "field_type": item.get("fieldtype"),
                    "from_value": item.get("from"),
                    "from_string": item.get("fromString"),
                    "to_value": item.get("to"),
                    "to_string": item.get("toString"),
                }
            )
    return rows


def worklog_rows(issue: dict) -> list[dict]:
    worklog = (issue.get("fields") or {}).get("worklog") or {}
    return [
        {
            "worklog_id": str(entry["id"]),
            "issue_id": str(issue["id"]),
            "author_account_id": _user_id(entry.get("author")),
            "started_at": parse_jira_datetime(entry.get("started")),
            "time_spent_seconds": entry.get("timeSpentSeconds"),
            "created_at": parse_jira_datetime(entry.get("created")),
            "updated_at": parse_jira_datetime(entry.get("updated")),
        }
        for entry in worklog.get("worklogs", [])
    ]


def issue_link_rows(issue: dict) -> list[dict]:
    rows = []
    for link in (issue.get("fields") or {}).get("issuelinks") or []:
        link_type = link.get("type") or {}
        for direction in ("outward", "inward"):
            other = link.get(f"{direction}Issue")
            if other:
                rows.append(
                    {
                        "link_id": str(link["id"]),
                        "issue_id": str(issue["id"]),
                        "link_type": link_type.get("name"),
                        "direction": direction,
                        "link_verb": link_type.get(direction),
                        "other_issue_id": None if other.get("id") is None else str(other["id"]),
                        "other_issue_key": other.get("key"),
                    }
                )
    return rows


def _people(issue: dict) -> Iterator[dict]:
    fields = issue.get("fields") or {}
    for name in ("assignee", "reporter", "creator"):
        yield fields.get(name)
    for history in (issue.get("changelog") or {}).get("histories", []):
        yield history.get("author")
    for entry in (fields.get("worklog") or {}).get("worklogs", []):
        yield entry.get("author")


def user_rows(issues: list[dict], *, include_emails: bool) -> list[dict]:
    """Everyone the issues mention, once; emails only where the deployment allows storing them."""
    users: dict[str, dict] = {}
    for issue in issues:
        for person in _people(issue):
            account_id = _user_id(person)
            if account_id and account_id not in users:
                users[account_id] = {
                    "account_id": account_id,
                    "display_name": person.get("displayName"),
                    "email": person.get("emailAddress") if include_emails else None,
                    "active": person.get("active"),
                }
    return list(users.values())


def field_rows(catalogue: list[dict]) -> list[dict]:
    return [
        {
            "field_id": item["id"],
            "field_name": item.get("name"),
            "custom_type": (item.get("schema") or {}).get("custom"),
            "schema_type": (item.get("schema") or {}).get("type"),
        }
        for item in catalogue
        if isinstance(item.get("id"), str)
    ]


def board_rows(boards: list[dict]) -> list[dict]:
    return [
        {
            "board_id": board["id"],
            "board_name": board.get("name"),
            "board_type": board.get("type"),
            "project_key": (board.get("location") or {}).get("projectKey"),
        }
        for board in boards
    ]


def sprint_rows(sprints: list[dict]) -> list[dict]:
    return [
        {
            "sprint_id": sprint["id"],
            "board_id": sprint.get("originBoardId", sprint.get("boardId")),
            "sprint_name": sprint.get("name"),
            "state": sprint.get("state"),
            "goal": sprint.get("goal"),
            "start_at": parse_jira_datetime(sprint.get("startDate")),
            "end_at": parse_jira_datetime(sprint.get("endDate")),
            "completed_at": parse_jira_datetime(sprint.get("completeDate")),
        }
        for sprint in sprints
    ]


def status_rows(statuses: list[dict]) -> list[dict]:
    return [
        {
            "status_id": str(status["id"]),
            "status_name": status.get("name"),
            "status_category": _name(status.get("statusCategory"), "key"),
        }
        for status in statuses
    ]


def frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    # column by column: a quarter faster than letting Polars read the row dicts one by one
    return pl.DataFrame({column: [row[column] for row in rows] for column in schema}, schema=schema)


# Every table a landing batch holds, by name: readers rely on each batch having a part of each.
LANDED_SCHEMAS = {
    "issues": ISSUE_SCHEMA,
    "changelog_items": CHANGELOG_SCHEMA,
    "worklogs": WORKLOG_SCHEMA,
    "issue_links": ISSUE_LINK_SCHEMA,
    "users": USER_SCHEMA,
    "statuses": STATUS_SCHEMA,
    "fields": FIELD_SCHEMA,
    "boards": BOARD_SCHEMA,
    "sprints": SPRINT_SCHEMA,
    "deletions": DELETION_SCHEMA,
}
