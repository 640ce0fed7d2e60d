"""Monte Carlo delivery forecasts per open project and per mission (spec sections 6 and 7).

Each project's trials sample its owning team's weekly throughput over the history window (zeros
included) scaled by the project's share of the team's effort, against its remaining items grown by
a sampled scope growth of the team's finished projects. A mission's trials take, trial by trial,
the latest finish of its open projects. The simulation is plain NumPy in top-level functions so
that tests import this file and check it on cases with a known answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

# Finishing later than this counts as "not within the horizon" (a null finish date).
HORIZON_WEEKS = 520
# Weeks drawn per step: most projects finish within the first step, so few are drawn in vain.
WEEKS_PER_STEP = 26
PERCENTILES = {"p50": 0.50, "p85": 0.85, "p95": 0.95}


@dataclass(frozen=True)
class Simulation:
    """Per-trial outcomes of one project, trial i of every project drawn independently."""

    finish_weeks: np.ndarray  # whole weeks from the as-of date until done; inf beyond the horizon
    scope: np.ndarray  # remaining items once grown by the trial's sampled scope growth
    delivered_at_checkpoint: np.ndarray  # items delivered by the checkpoint week


def subject_rng(seed: int, subject_type: str, subject_id: str) -> np.random.Generator:
    """A generator seeded from the run's seed and the subject alone, not from row order."""
    digest = hashlib.sha256(f"{subject_type}:{subject_id}".encode()).digest()
    words = np.frombuffer(digest[:16], dtype=np.uint32)
    return np.random.default_rng(np.random.SeedSequence([seed, *words.tolist()]))


def simulate_project(
    remaining: float,
    weekly_throughput: np.ndarray,
    effort_share: float,
    scope_growth: np.ndarray,
    trials: int,
    rng: np.random.Generator,
    checkpoint_week: int = 0,
    horizon_weeks: int = HORIZON_WEEKS,
) -> Simulation:
    """Simulate `trials` futures of one project, all trials at once (steps of weeks, not trials).

    weekly_throughput: the team's completed items in each week of the history window, zeros
    included; every simulated week draws one of them and scales it by effort_share.
    scope_growth: historical scope growth ratios; each trial draws one and grows the remaining
    items by it (no history: no growth).
    """
    remaining, effort_share = float(remaining), float(effort_share)
    history = np.asarray(weekly_throughput, dtype=float) * effort_share
    growth = np.asarray(scope_growth, dtype=float)
    if growth.size:
        scope = remaining * (1.0 + growth[rng.integers(0, growth.size, size=trials)])
    else:
        scope = np.full(trials, float(remaining))
    scope = np.maximum(scope, 0.0)

    finish = np.where(scope <= 0.0, 0.0, np.inf)
    delivered = np.zeros(trials)
    at_checkpoint = np.zeros(trials)
    week = 0
    can_deliver = history.size > 0 and history.max() > 0.0
    # Until the checkpoint every trial is drawn (a finished one still counts what the team would
    # deliver by then); after it only the unfinished ones, so a long tail of slow trials does not
    # make every trial draw until the slowest finishes.
    drawn = np.arange(trials)
    while can_deliver and week < horizon_weeks:
        if week >= checkpoint_week:
            drawn = drawn[np.isinf(finish[drawn])]
            if not drawn.size:
                break
        steps = min(WEEKS_PER_STEP, horizon_weeks - week)
        draws = history[rng.integers(0, history.size, size=(drawn.size, steps))]
        if week < checkpoint_week <= week + steps:
            at_checkpoint[drawn] = delivered[drawn] + draws[:, : checkpoint_week - week].sum(axis=1)
        # Week by week (a cumulative sum) only for the trials that may finish within the step; the
        # margin covers sums added in another order differing in the last bits.
        reached = delivered[drawn] + draws.sum(axis=1)
        crossing = np.flatnonzero(np.isinf(finish[drawn]) & (reached >= scope[drawn] * (1 - 1e-9)))
        path = delivered[drawn[crossing], None] + np.cumsum(draws[crossing], axis=1)
        crossed = path >= scope[drawn[crossing], None]
        done = crossed[:, -1]
        finish[drawn[crossing[done]]] = week + 1 + crossed[done].argmax(axis=1)
        reached[crossing] = path[:, -1]
        delivered[drawn] = reached
        week += steps
    if checkpoint_week > week:
        at_checkpoint = delivered
    return Simulation(finish, scope, at_checkpoint)


def finish_date_percentiles(as_of: date, finish_weeks: np.ndarray) -> dict[str, date | None]:
    """p50/p85/p95 finish dates (the trial value reached by that share); None beyond the horizon."""
    values = np.quantile(finish_weeks, list(PERCENTILES.values()), method="inverted_cdf")
    return {
        name: None if np.isinf(weeks) else as_of + timedelta(weeks=int(weeks))
        for name, weeks in zip(PERCENTILES, values, strict=True)
    }


def share_done_by(as_of: date, finish_weeks: np.ndarray, deadline: date | None) -> float | None:
    """Share of trials finished on or before the deadline; None without a deadline."""
    if deadline is None:
        return None
    return float(np.mean(finish_weeks * 7 <= (deadline - as_of).days))


def weeks_until(as_of: date, day: date) -> int:
    """Whole weeks from the as-of date that have ended by `day`."""
    return max((day - as_of).days // 7, 0)


def project_forecast(
    project: dict, weekly_rate: float, simulation: Simulation, trials: int
) -> dict:
    as_of, done = project["as_of_date"], project["done_items"]
    total = done + simulation.scope
    fraction = np.where(
        total > 0, np.minimum((done + simulation.delivered_at_checkpoint) / total, 1.0), 1.0
    )
    return {
        "subject_type": "project",
        "subject_id": project["project_id"],
        "as_of_date": as_of,
        "trials": trials,
        "open_project_count": 1,
        "remaining_items": float(project["remaining_items"]),
        "mean_scope_items": float(simulation.scope.mean()),
        "weekly_rate": weekly_rate,
        **finish_date_percentiles(as_of, simulation.finish_weeks),
        "p_finish_within_horizon": float(np.mean(np.isfinite(simulation.finish_weeks))),
        "due_date": project["due_date"],
        "p_done_by_due": share_done_by(as_of, simulation.finish_weeks, project["due_date"]),
        "quarter_end_date": project["quarter_end_date"],
        "p_done_by_quarter_end": share_done_by(
            as_of, simulation.finish_weeks, project["quarter_end_date"]
        ),
        "expected_fraction_done_by_quarter_end": float(fraction.mean()),
    }


def mission_forecast(mission: dict, finish_weeks: np.ndarray, trials: int) -> dict:
    """A mission is done when its last open project is: the latest finish, trial by trial."""
    as_of = mission["as_of_date"]
    latest = finish_weeks.max(axis=0)
    return {
        "subject_type": "mission",
        "subject_id": mission["mission"],
        "as_of_date": as_of,
        "trials": trials,
        "open_project_count": finish_weeks.shape[0],
        "remaining_items": float(mission["remaining_items"]),
        "mean_scope_items": None,
        "weekly_rate": None,
        **finish_date_percentiles(as_of, latest),
        "p_finish_within_horizon": float(np.mean(np.isfinite(latest))),
        "due_date": mission["mission_deadline"],
        "p_done_by_due": share_done_by(as_of, latest, mission["mission_deadline"]),
        "quarter_end_date": mission["quarter_end_date"],
        "p_done_by_quarter_end": share_done_by(as_of, latest, mission["quarter_end_date"]),
        "expected_fraction_done_by_quarter_end": None,
    }


SCHEMA = {
    "forecast_id": pl.String,
    "subject_type": pl.String,
    "subject_id": pl.String,
    "as_of_date": pl.Date,
    "trials": pl.Int64,
    "open_project_count": pl.Int64,
    "remaining_items": pl.Float64,
    "mean_scope_items": pl.Float64,
    "weekly_rate": pl.Float64,
    "p50": pl.Date,
    "p85": pl.Date,
    "p95": pl.Date,
    "p_finish_within_horizon": pl.Float64,
    "due_date": pl.Date,
    "p_done_by_due": pl.Float64,
    "quarter_end_date": pl.Date,
    "p_done_by_quarter_end": pl.Float64,
    "expected_fraction_done_by_quarter_end": pl.Float64,
}


def forecast(
    projects: list[dict],
    throughput: dict[str, np.ndarray],
    growth: dict[str, np.ndarray],
    trials: int,
    seed: int,
) -> pl.DataFrame:
    """One row per project and per mission of those projects; inputs as int_forecast_inputs."""
    rows, finishes_by_mission = [], {}
    for project in sorted(projects, key=lambda p: p["project_id"]):
        team = project["owning_team"]
        history = throughput.get(team, np.zeros(0))
        simulation = simulate_project(
            remaining=project["remaining_items"],
            weekly_throughput=history,
            effort_share=project["effort_share"],
            scope_growth=growth.get(team, np.zeros(0)),
            trials=trials,
            rng=subject_rng(seed, "project", project["project_id"]),
            checkpoint_week=weeks_until(project["as_of_date"], project["quarter_end_date"]),
        )
        weekly_rate = float(history.mean()) * project["effort_share"] if history.size else 0.0
        rows.append(project_forecast(project, weekly_rate, simulation, trials))
        if project["mission"] is not None:
            finishes_by_mission.setdefault(project["mission"], []).append(
                (project, simulation.finish_weeks)
            )
    for mission, members in sorted(finishes_by_mission.items()):
        first = members[0][0]
        summary = {
            "mission": mission,
            "as_of_date": first["as_of_date"],
            "mission_deadline": first["mission_deadline"],
            "quarter_end_date": first["quarter_end_date"],
            "remaining_items": sum(project["remaining_items"] for project, _ in members),
        }
        rows.append(mission_forecast(summary, np.vstack([f for _, f in members]), trials))
    frame = pl.DataFrame(
        [{"forecast_id": f"{row['subject_type']}:{row['subject_id']}", **row} for row in rows],
        schema=SCHEMA,
    )
    return frame.rename({name: f"{name}_finish_date" for name in PERCENTILES})


def model(dbt, session):
    dbt.config(materialized="table")
    projects = dbt.ref("int_forecast_inputs").pl().to_dicts()
    throughput = {
        team: np.asarray(weeks.sort("weeks_ago")["completed_items"], dtype=float)
        for (team,), weeks in dbt.ref("int_team_weekly_throughput").pl().group_by("team")
    }
    growth = {
        team: np.asarray(finished.sort("project_id")["scope_growth"], dtype=float)
        for (team,), finished in dbt.ref("int_team_finished_scope_growth").pl().group_by("team")
    }
    frame = forecast(
        projects,
        throughput,
        growth,
        trials=int(dbt.config.get("forecast_trials")),
        seed=int(dbt.config.get("forecast_seed")),
    )
    return frame.to_arrow()
