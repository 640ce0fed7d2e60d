"""Typed rows from Jira's wire format: one per issue, one per changelog item, one per status.

The raw issue JSON travels beside the typed columns so that nothing Jira said is lost and later
stages can derive new columns without a re-extraction.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import polars as pl

from ingest.fields import FieldMap, parse_sprints

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

STATUS_SCHEMA = {
    "status_id": pl.String,
    "status_name": pl.String,
    "status_category": pl.String,
}


def parse_jira_datetime(value: str | None) -> datetime | None:
    """Jira writes `2025-08-01T10:15:00.000+0000`; Python wants the offset as +00:00."""
    if not value:
        return None
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = f"{value[:-2]}:{value[-2:]}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _name(value: Any, key: str = "name") -> str | None:
    return value.get(key) if isinstance(value, dict) else None


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
    parent = fields.get("parent") or {}
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
        "hierarchy_level": issue_type.get("hierarchyLevel", -1 if issue_type.get("subtask") else 0),
        "is_subtask": bool(issue_type.get("subtask", False)),
        "summary": fields.get("summary"),
        "status_id": None if status.get("id") is None else str(status["id"]),
        "status_name": status.get("name"),
        "status_category": _name(status.get("statusCategory"), "key"),
        "priority": _name(fields.get("priority")),
        "labels": list(fields.get("labels") or []),
        "components": [c["name"] for c in fields.get("components") or [] if "name" in c],
        "assignee_account_id": _name(fields.get("assignee"), "accountId"),
        "reporter_account_id": _name(fields.get("reporter"), "accountId"),
        "created_at": parse_jira_datetime(fields.get("created")),
        "updated_at": parse_jira_datetime(fields.get("updated")),
        "resolved_at": parse_jira_datetime(fields.get("resolutiondate")),
        "resolution": _name(fields.get("resolution")),
        "due_date": date.fromisoformat(due) if due else None,
        "parent_id": None if parent.get("id") is None else str(parent["id"]),
        "parent_key": parent.get("key"),
        "epic_link_key": custom(field_map.epic_link),
        "story_points": None if story_points is None else float(story_points),
        "team_id": team_id,
        "team_name": team_name,
        "sprint_ids": [sprint.id for sprint in parse_sprints(custom(field_map.sprint))],
        "raw_json": json.dumps(issue, separators=(",", ":"), sort_keys=True),
    }


def changelog_rows(issue: dict) -> list[dict]:
    rows = []
    for history in (issue.get("changelog") or {}).get("histories", []):
        changed_at = parse_jira_datetime(history.get("created"))
        author = _name(history.get("author"), "accountId")
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
    return pl.DataFrame(rows, schema=schema)
