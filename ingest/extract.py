"""One extraction run: Jira -> one immutable landing batch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.fields import discover_fields
from ingest.jira_client import JiraReader
from ingest.landing import BatchWriter
from ingest.normalize import (
    CHANGELOG_SCHEMA,
    ISSUE_SCHEMA,
    STATUS_SCHEMA,
    changelog_rows,
    frame,
    issue_row,
    status_rows,
)

# Every field: the raw JSON is the landing's record of what Jira said, so that a later rule on any
# field (an "Impact" field, a tier field) needs no re-extraction.
ALL_FIELDS = ["*all"]


@dataclass(frozen=True)
class ExtractionResult:
    batch_id: str
    batch_dir: Path
    jql: str
    row_counts: Mapping[str, int]
    field_decisions: tuple[str, ...]


def extract_to_landing(
    reader: JiraReader,
    landing_dir: Path,
    batch_id: str,
    *,
    field_overrides: Mapping[str, str] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> ExtractionResult:
    started_at = datetime.now(UTC)
    field_map = discover_fields(reader.field_catalogue(), field_overrides)
    for decision in field_map.decisions:
        log(f"field {decision}")
    jql = reader.scope()
    log(f"extracting issues matching: {jql}")
    with BatchWriter(landing_dir, batch_id) as batch:
        batch.write_part("statuses", frame(status_rows(reader.statuses()), STATUS_SCHEMA))
        for page in reader.issue_pages(jql, ALL_FIELDS):
            batch.write_part("issues", frame([issue_row(i, field_map) for i in page], ISSUE_SCHEMA))
            items = [row for issue in page for row in changelog_rows(issue)]
            batch.write_part("changelog_items", frame(items, CHANGELOG_SCHEMA))
        batch_dir = batch.commit(
            {
                "jira_url": reader.settings.url,
                "deployment_type": reader.deployment_type,
                "jql": jql,
                "field_decisions": list(field_map.decisions),
                "started_at": started_at.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
            }
        )
        return ExtractionResult(
            batch_id=batch_id,
            batch_dir=batch_dir,
            jql=jql,
            row_counts=dict(batch.row_counts),
            field_decisions=field_map.decisions,
        )
