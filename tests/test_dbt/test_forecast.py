"""The Monte Carlo delivery forecast (int_forecasts_simulated.py) on cases with a known answer."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

_path = Path(__file__).resolve().parents[2] / "dbt_project/models/intermediate/delivery"
_spec = importlib.util.spec_from_file_location(
    "int_forecasts_simulated", _path / "int_forecasts_simulated.py"
)
simulated = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simulated)

TRIALS = 10_000
AS_OF = date(2026, 6, 1)
STEADY = np.ones(12)  # one item every week
COIN = np.array([0.0, 1.0] * 6)  # Bernoulli(0.5) items a week


def run(remaining, history, share=1.0, growth=(), seed=1, checkpoint_week=0):
    return simulated.simulate_project(
        remaining=remaining,
        weekly_throughput=history,
        effort_share=share,
        scope_growth=np.array(growth),
        trials=TRIALS,
        rng=np.random.default_rng(seed),
        checkpoint_week=checkpoint_week,
    )


def in_weeks(weeks: int) -> date:
    return AS_OF + timedelta(weeks=weeks)


def test_steady_throughput_finishes_exactly_when_the_items_run_out():
    finish = run(5, STEADY).finish_weeks
    assert set(finish) == {5.0}
    assert simulated.share_done_by(AS_OF, finish, in_weeks(10)) == 1.0
    assert simulated.share_done_by(AS_OF, finish, in_weeks(5)) == 1.0
    assert simulated.share_done_by(AS_OF, finish, in_weeks(5) - timedelta(days=1)) == 0.0
    assert simulated.share_done_by(AS_OF, finish, None) is None


def test_a_coin_flip_week_delivers_the_last_item_half_of_the_time():
    finish = run(1, COIN).finish_weeks
    assert simulated.share_done_by(AS_OF, finish, in_weeks(1)) == pytest.approx(0.5, abs=0.02)
    # geometric: done within two weeks three times out of four
    assert simulated.share_done_by(AS_OF, finish, in_weeks(2)) == pytest.approx(0.75, abs=0.02)


def test_the_effort_share_scales_the_team_throughput():
    assert set(run(3, STEADY * 2, share=0.5).finish_weeks) == {3.0}


def test_remaining_items_grow_by_the_sampled_scope_growth():
    simulation = run(5, STEADY, growth=[1.0])
    assert set(simulation.scope) == {10.0}
    assert set(simulation.finish_weeks) == {10.0}
    # half the trials draw no growth, half draw +100%
    mixed = run(5, STEADY, growth=[0.0, 1.0]).finish_weeks
    assert np.mean(mixed == 5.0) == pytest.approx(0.5, abs=0.02)
    assert set(mixed) == {5.0, 10.0}


def test_no_throughput_never_finishes_and_no_remaining_work_is_done_now():
    never = run(2, np.zeros(12)).finish_weeks
    assert np.isinf(never).all()
    assert simulated.finish_date_percentiles(AS_OF, never) == dict.fromkeys(("p50", "p85", "p95"))
    assert set(run(0, STEADY).finish_weeks) == {0.0}


def test_percentile_finish_dates_are_ordered():
    finish = run(4, COIN).finish_weeks
    dates = simulated.finish_date_percentiles(AS_OF, finish)
    assert AS_OF < dates["p50"] <= dates["p85"] <= dates["p95"]
    # 4 coin-flip items take 11 weeks or fewer 88.7% of the time, 10 or fewer 82.8%
    assert dates["p85"] == in_weeks(11)


def test_items_delivered_by_the_checkpoint_week():
    simulation = run(5, STEADY, checkpoint_week=2)
    assert set(simulation.delivered_at_checkpoint) == {2.0}
    assert set(run(5, STEADY, checkpoint_week=0).delivered_at_checkpoint) == {0.0}
    # a checkpoint beyond the finish keeps counting what the team would deliver
    assert set(run(1, STEADY, checkpoint_week=30).delivered_at_checkpoint) == {30.0}


def project(project_id, remaining, done=0, mission=None, team="Payments", due=None, share=1.0):
    return {
        "project_id": project_id,
        "owning_team": team,
        "mission": mission,
        "mission_deadline": in_weeks(1) if mission else None,
        "as_of_date": AS_OF,
        "remaining_items": remaining,
        "done_items": done,
        "due_date": due,
        "quarter_end_date": in_weeks(2),
        "effort_share": share,
    }


def forecast(projects, seed=7, throughput=None):
    throughput = throughput or {"Payments": STEADY, "Search": COIN}
    return simulated.forecast(projects, throughput, {}, trials=TRIALS, seed=seed)


def test_a_project_row_holds_dates_probabilities_and_the_fraction_done_by_quarter_end():
    [row] = forecast([project("PAY-1", 5, done=5, due=in_weeks(4))]).to_dicts()
    assert row["forecast_id"] == "project:PAY-1"
    assert row["p50_finish_date"] == row["p95_finish_date"] == in_weeks(5)
    assert row["p_done_by_due"] == 0.0
    assert row["p_done_by_quarter_end"] == 0.0
    # 5 done + 2 delivered by the quarter's end, of 10
    assert row["expected_fraction_done_by_quarter_end"] == pytest.approx(0.7)
    assert row["weekly_rate"] == pytest.approx(1.0)


def test_a_mission_is_done_when_its_last_project_is_in_the_same_trial():
    rows = forecast(
        [
            project("PAY-1", 1, mission="Aurora"),
            project("SRCH-1", 1, mission="Aurora", team="Search"),
            project("PAY-2", 9),
        ]
    )
    mission = rows.filter(subject_type="mission").to_dicts()
    assert [(m["subject_id"], m["open_project_count"]) for m in mission] == [("Aurora", 2)]
    # PAY-1 surely finishes in a week; the mission then hangs on SRCH-1's coin flip
    assert mission[0]["p_done_by_due"] == pytest.approx(0.5, abs=0.02)
    search = rows.filter(subject_id="SRCH-1").to_dicts()[0]
    assert mission[0]["p_done_by_quarter_end"] == search["p_done_by_quarter_end"]


def test_same_seed_same_forecast_whatever_the_row_order():
    projects = [project("SRCH-1", 3, team="Search"), project("SRCH-2", 6, team="Search")]
    first = forecast(projects)
    assert first.equals(forecast(list(reversed(projects))))
    assert not first.equals(forecast(projects, seed=8))
    # a project's forecast does not depend on which other projects are simulated with it
    alone = forecast(projects[1:]).filter(subject_id="SRCH-2")
    assert alone.equals(first.filter(subject_id="SRCH-2"))
