"""The dbt benchmark's synthetic site lands what the pipeline lands, and classifies."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import polars as pl
import pytest

from benchmarks.synthetic_warehouse import DAY, SECOND, Shape, ensure_landings
from ingest.classify import write_classification
from ingest.landing import committed_batches
from ingest.normalize import LANDED_SCHEMAS

SHAPE = Shape(issues=200, teams=5, changed_share=0.05)


@pytest.fixture(scope="module")
def landings(tmp_path_factory):
    return ensure_landings(tmp_path_factory.mktemp("bench") / "cache", SHAPE)


def _table(batch, table: str) -> pl.DataFrame:
    return pl.read_parquet(batch / table / "*.parquet")


def _moment(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / SECOND, UTC)


def test_every_batch_holds_every_landed_table_in_its_schema(landings):
    batches = committed_batches(landings.base) + committed_batches(landings.nightly)
    assert len(batches) == 2
    assert batches[0].name < batches[1].name  # batch ids sort by time, as readers rely on
    for batch in batches:
        for table, schema in LANDED_SCHEMAS.items():
            for part in sorted((batch / table).glob("*.parquet")):
                assert pl.read_parquet_schema(part) == {**schema, "batch_id": pl.String}, part


def test_site_has_the_shapes_the_models_read(landings):
    (base,) = committed_batches(landings.base)
    issues, items = _table(base, "issues"), _table(base, "changelog_items")
    assert issues.height == SHAPE.issues
    assert issues["issue_id"].is_unique().all() and issues["issue_key"].is_unique().all()
    assert set(issues["hierarchy_level"]) == {-1, 0, 1, 2}
    assert issues["parent_id"].drop_nulls().is_in(issues["issue_id"].implode()).all()
    assert 8 <= items.height / issues.height <= 13  # ~10 changelog items per issue
    assert {"status", "resolution", "assignee", "Sprint", "duedate", "Flagged"} <= set(
        items["field"]
    )
    key = items.select(pl.struct("issue_id", "history_id", "item_index"))
    assert key.to_series().is_unique().all()
    for table in ("changelog_items", "worklogs", "issue_links"):
        assert _table(base, table)["issue_id"].is_in(issues["issue_id"].implode()).all(), table
    assert _table(base, "worklogs").height > 0 and _table(base, "issue_links").height > 0
    assert _table(base, "deletions").is_empty()
    # Nothing happens after the as-of date; every issue's last status change is its status.
    cutoff = _moment(SHAPE.cutoff)
    assert items["changed_at"].max() < cutoff and issues["updated_at"].max() < cutoff
    last_status = (
        items.filter(pl.col("field") == "status")
        .sort("changed_at", pl.col("history_id").cast(pl.Int64))
        .group_by("issue_id")
        .agg(pl.col("to_value").last())
        .join(issues, on="issue_id")
    )
    assert (last_status["to_value"] == last_status["status_id"]).all()


def test_nightly_batch_relands_the_changed_issues_whole(landings):
    (base,) = committed_batches(landings.base)
    (nightly,) = committed_batches(landings.nightly)
    issues, items = _table(nightly, "issues"), _table(nightly, "changelog_items")
    assert issues.height == SHAPE.changed
    day = (_moment(SHAPE.cutoff), _moment(SHAPE.cutoff + DAY))
    assert issues["updated_at"].is_between(*day, closed="left").all()
    old_items = _table(base, "changelog_items").filter(
        pl.col("issue_id").is_in(issues["issue_id"].implode())
    )
    earlier = old_items.drop("batch_id")
    kept = earlier.join(items.drop("batch_id"), on=earlier.columns, nulls_equal=True)
    assert kept.height == earlier.height  # the earlier history, unchanged
    assert items.height > old_items.height


def test_synthetic_site_classifies(landings, tmp_path):
    landing = tmp_path / "landing"
    for batch in committed_batches(landings.base) + committed_batches(landings.nightly):
        shutil.copytree(batch, landing / "batches" / batch.name)
    classified = write_classification(landing, tmp_path / "classified").issues
    new = _table(committed_batches(landing)[-1], "issues").filter(
        pl.col("created_at") >= _moment(SHAPE.cutoff)
    )
    assert classified.height == SHAPE.issues + new.height
    assert classified["project_id"].null_count() == 0
    assert (classified["hierarchy_status"] == "ok").mean() > 0.5  # most work sits under an epic
    assert classified["mission"].drop_nulls().len() > 0
