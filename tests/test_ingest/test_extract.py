"""Extraction against the sandbox: incremental, complete, exactly-once and secret-safe."""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from ingest.classify import latest_issues
from ingest.extract import ExtractionOptions, extract_to_landing
from ingest.jira_client import JiraAccessError, JiraReader, JiraSettings
from ingest.landing import BatchWriter, committed_batches, part_glob
from ingest.sandbox import SandboxServer, generate_org
from ingest.sandbox.faults import RATE_LIMIT_GLOBAL, Fault

EMAIL, TOKEN = "extract@example.com", "extract-token-7f3a9c"
SEED = 5


@pytest.fixture(params=["cloud", "datacenter"])
def sandbox(request):
    """The same suite against both platforms: Cloud (token paging, bulk changelogs, basic auth)
    and Data Center (startAt paging, a 10k result window, bearer personal access tokens)."""
    org = generate_org(seed=SEED)
    with SandboxServer(org, email=EMAIL, api_token=TOKEN, deployment=request.param) as server:
        yield server


def settings_for(sandbox, token: str = TOKEN) -> JiraSettings:
    email = EMAIL if sandbox.cloud else ""  # empty: Data Center's bearer personal access token
    return JiraSettings(url=sandbox.url, email=email, api_token=token, workers=3)


def run(sandbox, landing, batch_id, **options):
    reader = JiraReader(settings_for(sandbox))
    return extract_to_landing(reader, landing, batch_id, ExtractionOptions(**options))


def newest_versions(landing) -> pl.DataFrame:
    """The landing as readers see it: the newest version of each issue."""
    return (
        latest_issues(landing)
        .select("issue_id", "issue_key", "updated_at", "summary", "status_name")
        .collect()
        .sort("issue_id")
    )


def search_queries(sandbox) -> list[str]:
    return [
        r.body["jql"] for r in sandbox.request_log if r.path.endswith(("/search/jql", "/search"))
    ]


def test_full_run_lands_every_issue_once_with_its_complete_history(sandbox, tmp_path):
    result = run(sandbox, tmp_path, "b1")
    org = sandbox.org
    assert result.mode == "full"
    issues = pl.read_parquet(part_glob(tmp_path, "issues"))
    assert issues["issue_id"].n_unique() == issues.height == len(org.issues)
    items = pl.read_parquet(part_glob(tmp_path, "changelog_items"))
    histories = items.group_by("issue_id").agg(pl.col("history_id").n_unique())
    expected = {i: len(h) for i, h in org.changelogs.items() if h}
    assert dict(histories.iter_rows()) == expected
    noisy = [i["id"] for i in org.issues if i["key"] in org.truth.noisy_issue_keys]
    assert all(expected[i] >= 250 for i in noisy)
    assert result.watermark_to is not None


def test_incremental_run_fetches_only_what_changed_and_equals_a_fresh_full_run(sandbox, tmp_path):
    first = run(sandbox, tmp_path / "incremental", "b1")
    sandbox.advance(timedelta(hours=2))
    changed = sandbox.org.issues[10]["key"]
    sandbox.update_issue(changed, summary="Renamed while nobody watched")
    sandbox.request_log.clear()
    second = run(sandbox, tmp_path / "incremental", "b2")
    assert second.mode == "incremental"
    assert all(" AND updated >= " in query for query in search_queries(sandbox))
    landed = pl.read_parquet(str(tmp_path / "incremental/batches/b2/issues/*.parquet"))
    # the changed issue, plus whatever sits inside the overlap re-read before the old watermark
    overlap_start = first.watermark_to - ExtractionOptions().overlap - timedelta(minutes=1)
    assert changed in landed["issue_key"].to_list()
    assert landed.filter(pl.col("issue_key") != changed)["updated_at"].min() >= overlap_start
    assert landed.height < len(sandbox.org.issues) / 100

    run(sandbox, tmp_path / "fresh", "f1")
    assert newest_versions(tmp_path / "incremental").equals(newest_versions(tmp_path / "fresh"))


def test_an_issue_updated_mid_scan_is_neither_lost_nor_duplicated(sandbox, tmp_path):
    first = sandbox.org.issues[0]["key"]
    sandbox.on_request(
        r"/search(/jql)?$",
        after=2,
        action=lambda: (
            sandbox.advance(timedelta(minutes=5)),
            sandbox.update_issue(first, summary="Changed during the scan"),
        ),
    )
    run(sandbox, tmp_path / "scanned", "b1")
    landed = newest_versions(tmp_path / "scanned")
    assert landed.height == len(sandbox.org.issues)
    assert (
        landed.filter(pl.col("issue_key") == first)["summary"].item() == "Changed during the scan"
    )
    run(sandbox, tmp_path / "after", "a1")
    assert landed.equals(newest_versions(tmp_path / "after"))


def test_a_crash_mid_run_leaves_nothing_and_a_rerun_lands_exactly_once(
    sandbox, tmp_path, monkeypatch
):
    real_write = BatchWriter.write_part
    calls = {"n": 0}

    def crash_on_fifth_part(self, table, rows):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        real_write(self, table, rows)

    monkeypatch.setattr(BatchWriter, "write_part", crash_on_fifth_part)
    with pytest.raises(OSError):
        run(sandbox, tmp_path / "crashed", "b1")
    assert committed_batches(tmp_path / "crashed") == []
    monkeypatch.setattr(BatchWriter, "write_part", real_write)
    rerun = run(sandbox, tmp_path / "crashed", "b2")
    assert rerun.mode == "full"
    run(sandbox, tmp_path / "clean", "c1")
    assert newest_versions(tmp_path / "crashed").equals(newest_versions(tmp_path / "clean"))
    assert [b.name for b in committed_batches(tmp_path / "crashed")] == ["b2"]


def test_deleted_issues_are_flagged_and_moved_issues_keep_their_identity(sandbox, tmp_path):
    run(sandbox, tmp_path, "b1")
    gone, moved = sandbox.org.issues[3], sandbox.org.issues[4]
    sandbox.advance(timedelta(hours=1))
    sandbox.delete_issue(gone["key"])
    new_key = sandbox.move_issue(moved["key"], "SRCH")
    run(sandbox, tmp_path, "b2", reconcile_every=timedelta(0))
    deletions = pl.read_parquet(part_glob(tmp_path, "deletions"))
    assert deletions["issue_id"].to_list() == [gone["id"]]
    landed = newest_versions(tmp_path)
    assert landed.filter(pl.col("issue_id") == moved["id"])["issue_key"].item() == new_key
    assert gone["id"] in landed["issue_id"].to_list()  # kept, flagged, never silently dropped


def test_bad_credentials_land_nothing_and_never_leak_the_token(sandbox, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(JiraAccessError) as caught:
        extract_to_landing(JiraReader(settings_for(sandbox, "not-" + TOKEN)), tmp_path, "b1")
    assert "rejected the credentials" in str(caught.value)
    assert committed_batches(tmp_path) == []
    assert TOKEN not in caplog.text and TOKEN not in str(caught.value)


def test_the_token_appears_nowhere_in_logs_or_landed_files(sandbox, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    run(sandbox, tmp_path, "b1")
    assert TOKEN not in caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_429_storm_is_survived_without_retrying_early(sandbox, tmp_path, clock):
    sandbox.inject(Fault.rate_limited(r"/search", retry_after=3, reason=None, times=4))
    reader = JiraReader(settings_for(sandbox), clock=clock)
    result = extract_to_landing(reader, tmp_path, "b1")
    assert result.row_counts["issues"] == len(sandbox.org.issues)
    assert result.requests["retries"] == 4
    # every wait after a 429 honoured Retry-After: 3 (the virtual clock records each sleep)
    assert sorted(clock.slept)[-4:] and all(wait >= 3 for wait in sorted(clock.slept)[-4:])
    assert clock.now >= 4 * 3


def test_a_quota_429_pauses_every_worker_until_the_reset(sandbox, tmp_path):
    reset = datetime.now(UTC) + timedelta(seconds=1.5)
    reset_at = time.monotonic() + (reset - datetime.now(UTC)).total_seconds()
    sandbox.inject(
        Fault.rate_limited(
            r"/search", retry_after=None, reason=RATE_LIMIT_GLOBAL, reset=reset, after=3
        )
    )
    run(sandbox, tmp_path, "b1")
    log = sandbox.request_log
    limited = next(r for r in log if r.status == 429)
    # requests other workers had in flight when the 429 came back may still arrive just after it;
    # after that, no worker sends anything until the quota resets
    in_flight = 0.2
    later = [r.at for r in log if r.at - limited.at > in_flight]
    assert later and min(later) >= reset_at - 0.05


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault(r"/search", status=403, times=None), "lacks permission"),
        (Fault(r"/search", status=500, times=None), "HTTP 500"),
    ],
)
def test_refusals_end_in_one_line_and_land_nothing(sandbox, tmp_path, fault, message, clock):
    sandbox.inject(fault)
    with pytest.raises(JiraAccessError) as caught:
        extract_to_landing(JiraReader(settings_for(sandbox), clock=clock), tmp_path, "b1")
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert committed_batches(tmp_path) == []


def test_bad_jql_names_jiras_reason_and_lands_nothing(sandbox, tmp_path):
    settings = dataclasses.replace(settings_for(sandbox), jql="project = ")
    with pytest.raises(JiraAccessError) as caught:
        extract_to_landing(JiraReader(settings), tmp_path, "b1")
    assert "HTTP 400" in str(caught.value) and "check JIRA_JQL" in str(caught.value)
    assert committed_batches(tmp_path) == []


def test_narrowing_the_scope_does_not_flag_the_dropped_projects_issues_deleted(sandbox, tmp_path):
    run(sandbox, tmp_path, "b1")
    narrowed = dataclasses.replace(settings_for(sandbox), projects=("PAY",))
    result = extract_to_landing(JiraReader(narrowed), tmp_path, "b2")
    assert result.mode == "full"  # a new scope has no high-water mark yet
    assert result.deleted == 0
