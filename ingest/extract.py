"""One extraction run: Jira -> one immutable landing batch.

Incremental by default: the high-water mark of a scope is the newest `updated` landed for it, read
back from the committed batch manifests. It is written inside the batch it describes, so it can
only advance once that batch is durably landed, and a crashed run simply runs again.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from ingest.fields import FieldMap, discover_fields
from ingest.jira_client import JiraReader, JiraSettings
from ingest.jira_dates import parse_jira_datetime
from ingest.landing import MANIFEST, BatchWriter, committed_batches
from ingest.normalize import (
    BOARD_SCHEMA,
    CHANGELOG_SCHEMA,
    DELETION_SCHEMA,
    FIELD_SCHEMA,
    ISSUE_LINK_SCHEMA,
    ISSUE_SCHEMA,
    SPRINT_SCHEMA,
    STATUS_SCHEMA,
    USER_SCHEMA,
    WORKLOG_SCHEMA,
    board_rows,
    changelog_rows,
    field_rows,
    frame,
    issue_link_rows,
    issue_row,
    sprint_rows,
    status_rows,
    user_rows,
    worklog_rows,
)

# Every field: the raw JSON is the landing's record of what Jira said, so that a later rule on any
# field (an "Impact" field, a tier field) needs no re-extraction.
ALL_FIELDS = ["*all"]
PAGE_QUEUE_PER_WORKER = 2  # pages buffered between fetching workers and the writer: bounds memory
PART_ISSUES = 5000  # issues per Parquet part (with their changelog items, worklogs, ...)


@dataclass(frozen=True)
class ExtractionOptions:
    full_refresh: bool = False
    # re-read this much before the high-water mark: Jira's clock and index lag a little
    overlap: timedelta = timedelta(minutes=15)
    # how often an incremental run also lists every id in scope to find deleted issues
    reconcile_every: timedelta = timedelta(days=7)
    include_emails: bool = False
    field_overrides: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtractionResult:
    batch_id: str
    batch_dir: Path
    mode: str
    row_counts: Mapping[str, int]
    watermark_to: datetime | None
    deleted: int
    requests: Mapping[str, float]


def scope_key(settings: JiraSettings) -> str:
    """Names one extraction scope: its watermark must not be reused by another."""
    scope = json.dumps([settings.url, sorted(settings.projects), settings.jql.strip()])
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _scope_batches(landing_dir: Path, key: str) -> list[tuple[Path, dict]]:
    """Committed batches of one scope, oldest first, with their manifests."""
    batches = (
        (batch, json.loads((batch / MANIFEST).read_text()))
        for batch in committed_batches(landing_dir)
    )
    return [(batch, manifest) for batch, manifest in batches if manifest.get("scope_key") == key]


def _latest(manifests: list[dict], name: str) -> datetime | None:
    values = [datetime.fromisoformat(m[name]) for m in manifests if m.get(name)]
    return max(values, default=None)


def _known_issue_ids(batches: list[Path]) -> set[str]:
    """Issues these batches landed and did not already record as deleted.

    Only the scope's own batches count: an issue of a project dropped from the scope is out of
    scope, not deleted from Jira.
    """
    parts = [part for batch in batches for part in batch.glob("issues/*.parquet")]
    if not parts:
        return set()
    ids = set(pl.read_parquet(parts, columns=["issue_id"])["issue_id"].to_list())
    deletions = [part for batch in batches for part in batch.glob("deletions/*.parquet")]
    if deletions:
        ids -= set(pl.read_parquet(deletions, columns=["issue_id"])["issue_id"].to_list())
    return ids


def _pages_in_parallel(
    reader: JiraReader, partitions: list[str], since: datetime | None
) -> Iterator[list[dict]]:
    """Pages from one scan per partition, run by a pool of workers, in arrival order.

    The queue is bounded, so fetching never runs more than a few pages ahead of the writer. If the
    consumer stops early (an error while writing), the workers are told to stop and drained.
    """
    pages: queue.Queue = queue.Queue(maxsize=PAGE_QUEUE_PER_WORKER * reader.settings.workers)
    stop = threading.Event()
    finished = object()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def scan(partition: str) -> None:
        try:
            for page in reader.scan(partition, ALL_FIELDS, since=since):
                if stop.is_set():
                    return
                put(page)
        finally:
            put(finished)

    with ThreadPoolExecutor(max_workers=reader.settings.workers) as pool:
        futures = [pool.submit(scan, partition) for partition in partitions]
        try:
            remaining = len(partitions)
            while remaining:
                item = pages.get()
                if item is finished:
                    remaining -= 1
                    # a failed scan ends the run now rather than after the others finish
                    for future in futures:
                        if future.done() and future.exception() is not None:
                            raise future.exception()
                    continue
                yield item
        finally:
            stop.set()
    for future in futures:
        future.result()


def extract_to_landing(
    reader: JiraReader,
    landing_dir: Path,
    batch_id: str,
    options: ExtractionOptions = ExtractionOptions(),
    *,
    run_id: str | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> ExtractionResult:
    started_at = datetime.now(UTC)
    key = scope_key(reader.settings)
    batches = _scope_batches(landing_dir, key)
    history = [manifest for _, manifest in batches]
    previous_mark = None if options.full_refresh else _latest(history, "watermark_to")
    mode = "incremental" if previous_mark else "full"
    since = previous_mark - options.overlap if previous_mark else None
    last_reconciled = _latest(history, "reconciled_at")
    reconcile = (
        mode == "full"
        or not last_reconciled
        or started_at - last_reconciled >= options.reconcile_every
    )

    catalogue = reader.field_catalogue()
    field_map = discover_fields(catalogue, options.field_overrides)
    for decision in field_map.decisions:
        log(f"field {decision}")
    partitions = reader.scope_partitions()
    log(
        f"{mode} extraction of {len(partitions)} partition(s)"
        + (f" updated since {since}" if since else "")
    )

    with BatchWriter(landing_dir, batch_id) as batch:
        batch.write_part("fields", frame(field_rows(catalogue), FIELD_SCHEMA))
        batch.write_part("statuses", frame(status_rows(reader.statuses()), STATUS_SCHEMA))
        boards, sprints = reader.boards_and_sprints()
        batch.write_part("boards", frame(board_rows(boards), BOARD_SCHEMA))
        batch.write_part("sprints", frame(sprint_rows(sprints), SPRINT_SCHEMA))
        newest, seen = _land_issues(
            batch, _pages_in_parallel(reader, partitions, since), field_map, options
        )
        deleted = []
        if reconcile:
            in_jira = (
                seen
                if mode == "full"
                else {i for p in partitions for i in reader.list_ids(p)} | seen
            )
            deleted = sorted(_known_issue_ids([batch for batch, _ in batches]) - in_jira)
            log(f"reconciliation: {len(deleted)} issue(s) no longer in Jira, flagged deleted")
        batch.write_part(
            "deletions",
            frame([{"issue_id": i, "detected_at": started_at} for i in deleted], DELETION_SCHEMA),
        )
        watermark_to = max(filter(None, [newest, previous_mark]), default=None)
        batch_dir = batch.commit(
            {
                "run_id": run_id,
                "scope_key": key,
                "jira_url": reader.settings.url,
                "deployment_type": reader.deployment_type,
                "partitions": partitions,
                "mode": mode,
                "watermark_from": since.isoformat() if since else None,
                "watermark_to": watermark_to.isoformat() if watermark_to else None,
                "reconciled_at": started_at.isoformat() if reconcile else None,
                "field_decisions": list(field_map.decisions),
                "requests": reader.stats.as_dict(),
                "started_at": started_at.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
            }
        )
        return ExtractionResult(
            batch_id=batch_id,
            batch_dir=batch_dir,
            mode=mode,
            row_counts=dict(batch.row_counts),
            watermark_to=watermark_to,
            deleted=len(deleted),
            requests=reader.stats.as_dict(),
        )


def _land_issues(
    batch: BatchWriter, pages: Iterator[list[dict]], field_map: FieldMap, options: ExtractionOptions
) -> tuple[datetime | None, set[str]]:
    """Write the pages as parts of each issue table; returns the newest `updated` and the ids.

    Rows are buffered up to PART_ISSUES issues per part: one Parquet file per page would mean
    thousands of tiny files for a large site, slower to write and to read back.
    """
    newest, seen = None, set()
    tables = {
        "issues": (ISSUE_SCHEMA, lambda page: [issue_row(i, field_map) for i in page]),
        "changelog_items": (
            CHANGELOG_SCHEMA,
            lambda page: [r for i in page for r in changelog_rows(i)],
        ),
        "worklogs": (WORKLOG_SCHEMA, lambda page: [r for i in page for r in worklog_rows(i)]),
        "issue_links": (
            ISSUE_LINK_SCHEMA,
            lambda page: [r for i in page for r in issue_link_rows(i)],
        ),
        "users": (USER_SCHEMA, lambda page: user_rows(page, include_emails=options.include_emails)),
    }
    buffered: dict[str, list[dict]] = {table: [] for table in tables}

    def flush() -> None:
        for table, (schema, _) in tables.items():
            batch.write_part(table, frame(buffered[table], schema))
            buffered[table] = []

    for page in pages:
        for table, (_, rows) in tables.items():
            buffered[table].extend(rows(page))
        for issue in page:
            seen.add(str(issue["id"]))
            updated = parse_jira_datetime(issue["fields"].get("updated"))
            if updated and (newest is None or updated > newest):
                newest = updated
        if len(buffered["issues"]) >= PART_ISSUES:
            flush()
    # the last part, possibly empty: readers always find every table in every batch
    if buffered["issues"] or not seen:
        flush()
    return newest, seen
