"""Jira's datetime format, shared by the client (keyset paging) and the typed rows."""

from __future__ import annotations

from datetime import datetime


def parse_jira_datetime(value: str | None) -> datetime | None:
    """Jira writes `2025-08-01T10:15:00.000+0000`; Python wants the offset as +00:00."""
    if not value:
        return None
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = f"{value[:-2]}:{value[-2:]}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
