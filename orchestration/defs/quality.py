"""Great Expectations suites as blocking asset checks: a failing suite stops publishing.

dagster-ge needs GX < 1.0, so this is the bridge: one `@asset_check` per registered suite.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)
from dagster_dbt import get_asset_key_for_model

from expectations.runner import validate
from expectations.suite import Suite
from expectations.suites import SUITES
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import DBT_POOL, portfolio_dbt_models


def suite_check(suite: Suite) -> AssetChecksDefinition:
    @asset_check(
        name=f"gx_{suite.name}",
        asset=get_asset_key_for_model([portfolio_dbt_models], suite.dbt_model),
        blocking=True,
        pool=DBT_POOL,
        description=f"Great Expectations suite {suite.name} on {suite.relation}",
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        outcome = validate(warehouse.build_db, suite)
        if not outcome.success:
            context.log.error(outcome.summary())
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            description=outcome.summary(),
            metadata={
                "rows": outcome.rows,
                "expectations": len(outcome.outcomes),
                "failed": len(outcome.failures),
                "failures": MetadataValue.json(
                    [
                        {
                            "expectation": f.expectation,
                            "column": f.column,
                            "observed": repr(f.observed),
                            "unexpected_sample": [repr(value) for value in f.unexpected_sample],
                        }
                        for f in outcome.failures
                    ]
                ),
            },
        )

    return _check


suite_checks = [suite_check(suite) for suite in SUITES]
