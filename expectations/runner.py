"""Runs a suite against the build warehouse through GX Core's pandas path.

GX's SQL datasource over duckdb-engine fetches after closing its connection here and sees no rows,
so the runner loads just the suite's columns with DuckDB (read-only) and hands GX a DataFrame.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.suite import Suite

# GX logs every expectation it builds at INFO; its verdicts come back in the result instead.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

UNEXPECTED_SAMPLE_SIZE = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    observed: Any
    unexpected_sample: list


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    def summary(self) -> str:
        if self.success:
            return f"{self.suite}: {len(self.outcomes)} expectations passed on {self.rows} rows"
        failed = "; ".join(
            f"{f.expectation}({f.column or ''}) observed {f.observed!r}, e.g. {f.unexpected_sample}"
            for f in self.failures
        )
        counts = f"{len(self.failures)} of {len(self.outcomes)}"
        return f"{self.suite}: {counts} expectations failed: {failed}"


def load_frame(database: Path, suite: Suite) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(f"select {', '.join(suite.columns)} from {suite.relation}").df()


def validate_frame(frame: pd.DataFrame, suite: Suite) -> SuiteOutcome:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(name="warehouse")
        .add_dataframe_asset(name=suite.name)
        .add_batch_definition_whole_dataframe(name="whole")
    )
    gx_suite = context.suites.add(
        gx.ExpectationSuite(name=suite.name, expectations=suite.expectations())
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame}, result_format={"result_format": "SUMMARY"}
    )
    outcomes = [
        ExpectationOutcome(
            expectation=r.expectation_config.type,
            column=r.expectation_config.kwargs.get("column"),
            success=bool(r.success),
            observed=r.result.get("observed_value", r.result.get("unexpected_count")),
            unexpected_sample=list(r.result.get("partial_unexpected_list", []))[
                :UNEXPECTED_SAMPLE_SIZE
            ],
        )
        for r in result.results
    ]
    return SuiteOutcome(suite=suite.name, rows=len(frame), outcomes=outcomes)


def validate(database: Path, suite: Suite) -> SuiteOutcome:
    return validate_frame(load_frame(database, suite), suite)
