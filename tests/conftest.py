"""Shared test setup: telemetry off, and the dbt manifest prepared once per session."""

from __future__ import annotations

import os
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
