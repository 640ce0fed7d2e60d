"""The team-quarter suite passes a sound mart and catches each broken invariant."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.runner import validate, validate_frame
from expectations.suites import SUITES
from expectations.suites.fct_team_quarter import SUITE

SOUND = {
    "team": ["Payments", "Payments", "Search"],
    "quarter_start": pd.to_datetime(["2026-01-01", "2026-04-01", "2026-04-01"]),
    "sure_thing_share": [0.6, 0.5, None],
    "linear_bet_share": [0.3, 0.25, None],
    "moonshot_share": [0.1, 0.25, None],
    "unclassified_share": [0.0, 0.2, 1.0],
    "unplanned_share": [0.1, 0.3, 0.5],
    "mix_drift": [0.0, 0.15, None],
    "flow_efficiency": [0.8, None, 0.5],
    "aging_wip_ratio": [0.25, 0.0, None],
    "classified_share_total": [1.0, 1.0, None],
    "posture": ["balanced", "too_bold", None],
    "total_effort": [10.0, 10.0, 2.0],
    "classified_effort": [10.0, 8.0, 0.0],
    "sure_thing_effort": [6.0, 4.0, 0.0],
    "linear_bet_effort": [3.0, 2.0, 0.0],
    "moonshot_effort": [1.0, 2.0, 0.0],
    "cycle_time_p50_days": [3.0, 4.0, None],
    "cycle_time_p85_days": [7.5, 4.0, None],
    "lead_time_p50_days": [10.0, 12.0, None],
    "lead_time_p85_days": [20.0, 30.0, None],
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
        ("unplanned_share", 2, 1.5, "expect_column_values_to_be_between"),
        ("mix_drift", 1, 1.5, "expect_column_values_to_be_between"),
        ("posture", 0, "reckless", "expect_column_values_to_be_in_set"),
        ("total_effort", 2, -1.0, "expect_column_values_to_be_between"),
        ("cycle_time_p85_days", 0, 2.0, "expect_column_pair_values_a_to_be_greater_than_b"),
    ],
)
def test_each_broken_invariant_fails_with_its_expectation_and_sample(column, row, value, failing):
    broken = pd.DataFrame(SOUND)
    broken.loc[row, column] = value
    outcome = validate_frame(broken, SUITE)
    assert not outcome.success
    reported_column = {
        "expect_compound_columns_to_be_unique": None,
        "expect_column_pair_values_a_to_be_greater_than_b": None,
    }.get(failing, column)
    assert [(f.expectation, f.column) for f in outcome.failures] == [(failing, reported_column)]
    assert failing in outcome.summary()


def test_shares_need_not_sum_to_one_without_classified_effort():
    frame = pd.DataFrame(SOUND)
    frame.loc[2, "classified_share_total"] = 0.0
    assert validate_frame(frame, SUITE).success


def test_validate_reads_only_the_suites_columns_from_the_warehouse(tmp_path):
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        frame = pd.DataFrame(SOUND).drop(columns="classified_share_total")
        frame["unrelated"] = "x"
        connection.execute("create table marts.fct_team_quarter as select * from frame")
    outcome = validate(database, SUITE)
    assert outcome.success, outcome.summary()
