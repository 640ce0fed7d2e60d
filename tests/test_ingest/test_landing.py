"""Landing batches become visible all at once or not at all."""

from __future__ import annotations

import json

import polars as pl
import pytest

from ingest.landing import BatchWriter, committed_batches, part_glob


def rows(n: int) -> pl.DataFrame:
    return pl.DataFrame({"issue_id": [str(i) for i in range(n)]})


def test_committed_batch_is_readable_with_counts_and_manifest(tmp_path):
    with BatchWriter(tmp_path, "b1") as batch:
        batch.write_part("issues", rows(3))
        batch.write_part("issues", rows(2))
        batch.commit({"jql": "project = X"})
    assert committed_batches(tmp_path) == [tmp_path / "batches" / "b1"]
    landed = pl.read_parquet(part_glob(tmp_path, "issues"))
    assert landed.height == 5
    assert landed["batch_id"].unique().to_list() == ["b1"]
    manifest = json.loads((tmp_path / "batches" / "b1" / "_batch.json").read_text())
    assert manifest["row_counts"] == {"issues": 5}
    assert manifest["jql"] == "project = X"
    assert not any((tmp_path / ".incoming").iterdir())


def test_a_batch_that_fails_midway_leaves_nothing_visible(tmp_path):
    with pytest.raises(RuntimeError), BatchWriter(tmp_path, "b1") as batch:
        batch.write_part("issues", rows(3))
        raise RuntimeError("connection lost")
    assert committed_batches(tmp_path) == []
    assert not (tmp_path / "batches").exists()
    assert not any((tmp_path / ".incoming").iterdir())


def test_leftovers_of_a_crashed_run_are_cleared_and_batches_are_never_overwritten(tmp_path):
    (tmp_path / ".incoming" / "b1" / "issues").mkdir(parents=True)
    (tmp_path / ".incoming" / "b1" / "issues" / "part-00000.parquet").write_text("half")
    with BatchWriter(tmp_path, "b1") as batch:
        batch.write_part("issues", rows(1))
        batch.commit({})
    assert pl.read_parquet(part_glob(tmp_path, "issues")).height == 1
    with pytest.raises(FileExistsError):
        BatchWriter(tmp_path, "b1")
