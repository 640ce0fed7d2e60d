"""The raw landing zone: immutable, append-only batches of Parquet parts.

A batch is written under `.incoming/` and renamed into `batches/` only once every part and its
manifest are on disk, so readers never see half a batch and a crashed run leaves nothing visible.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import TracebackType

import polars as pl

MANIFEST = "_batch.json"


def batches_dir(landing_dir: Path) -> Path:
    return landing_dir / "batches"


def part_glob(landing_dir: Path, table: str) -> str:
    """The glob readers (Polars, dbt) use for every committed part of one table."""
    return str(batches_dir(landing_dir) / "*" / table / "*.parquet")


def committed_batches(landing_dir: Path) -> list[Path]:
    root = batches_dir(landing_dir)
    return sorted(p for p in root.iterdir() if (p / MANIFEST).exists()) if root.exists() else []


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BatchWriter:
    """Writes one batch part by part; `commit` publishes it, an uncommitted exit discards it."""

    def __init__(self, landing_dir: Path, batch_id: str):
        self.batch_id = batch_id
        self.final_dir = batches_dir(landing_dir) / batch_id
        if self.final_dir.exists():
            raise FileExistsError(f"landing batch {batch_id} already exists at {self.final_dir}")
        self.work_dir = landing_dir / ".incoming" / batch_id
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.work_dir.mkdir(parents=True)
        self.row_counts: dict[str, int] = {}
        self._parts: dict[str, int] = {}

    def write_part(self, table: str, rows: pl.DataFrame) -> None:
        index = self._parts.get(table, 0)
        target = self.work_dir / table / f"part-{index:05d}.parquet"
        target.parent.mkdir(exist_ok=True)
        rows.with_columns(pl.lit(self.batch_id).alias("batch_id")).write_parquet(target)
        self._parts[table] = index + 1
        self.row_counts[table] = self.row_counts.get(table, 0) + rows.height

    def commit(self, manifest: dict) -> Path:
        manifest = {"batch_id": self.batch_id, "row_counts": self.row_counts, **manifest}
        manifest_path = self.work_dir / MANIFEST
        with manifest_path.open("w") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=True, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        for part in self.work_dir.rglob("*.parquet"):
            with part.open("rb") as handle:
                os.fsync(handle.fileno())
        self.final_dir.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.work_dir, self.final_dir)
        _fsync_dir(self.final_dir.parent)
        return self.final_dir

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        shutil.rmtree(self.work_dir, ignore_errors=True)
