"""The tier-mix suite passes a sound mart and catches each broken invariant."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.runner import validate, validate_frame
from expectations.suites import SUITES
from expectations.suites.fct_team_quarter_tier_mix import SUITE

SOUND = {
    "team": ["Payments", "Payments", "Search"],
    "quarter_start": pd.to_datetime(["2026-01-01", "2026-04-01", "2026-04-01"]),
    "sure_thing_share": [0.6, 0.5, None],
    "linear_bet_share": [0.3, 0.25, None],
    "moonshot_share": [0.1, 0.25, None],
    "classified_share_total": [1.0, 1.0, None],
    "mix_drift": [0.0, 0.15, None],
    "total_days": [10.0, 8.0, 2.0],
    "classified_days": [10.0, 8.0, 0.0],
    "unclassified_days": [0.0, 0.0, 2.0],
}


def test_every_suite_is_registered_once():
    assert [s.name for s in SUITES] == sorted({s.name for s in SUITES})


def test_a_sound_mart_passes():
    outcome = validate_frame(pd.DataFrame(SOUND), SUITE)
    assert outcome.success, outcome.summary()
    assert outcome.rows == 3


@pytest.mark.parametrize(
    ("column", "row", "value", "failing"),
    [
        ("team", 0, None, "expect_column_values_to_not_be_null"),
        ("quarter_start", 1, pd.Timestamp("2026-01-01"), "expect_compound_columns_to_be_unique"),
        ("classified_share_total", 1, 1.1, "expect_column_values_to_be_between"),
        ("moonshot_share", 0, -0.1, "expect_column_values_to_be_between"),
        ("mix_drift", 1, 1.5, "expect_column_values_to_be_between"),
        ("total_days", 2, -1.0, "expect_column_values_to_be_between"),
    ],
)
def test_each_broken_invariant_fails_with_its_expectation_and_sample(column, row, value, failing):
    broken = pd.DataFrame(SOUND)
    broken.loc[row, column] = value
    outcome = validate_frame(broken, SUITE)
    assert not outcome.success
    assert [(f.expectation, f.column) for f in outcome.failures] == [
        (failing, None if failing == "expect_compound_columns_to_be_unique" else column)
    ]
    assert failing in outcome.summary()


def test_validate_reads_only_the_suites_columns_from_the_warehouse(tmp_path):
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        frame = pd.DataFrame(SOUND).drop(columns="classified_share_total")
        frame["unrelated"] = "x"
        connection.execute("create table marts.fct_team_quarter_tier_mix as select * from frame")
    outcome = validate(database, SUITE)
    assert outcome.success, outcome.summary()
