"""Shared test setup: telemetry off, and the dbt manifest prepared once per session."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Parse the dbt project once per session; the dbt assets are defined from its manifest."""
    from orchestration.defs.resources import prepare_dbt_manifest

    return prepare_dbt_manifest()


class VirtualClock:
    """Time that only moves when someone sleeps: waits are measured exactly, and instantly."""

    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.now)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()
