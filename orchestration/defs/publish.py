"""Publishing: the marts, copied into a read-only warehouse file that readers can open any time."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import DBT_POOL, portfolio_dbt_models
from orchestration.publishing import publish_marts


@asset(
    group_name="publish",
    kinds={"duckdb"},
    pool=DBT_POOL,
    deps=[get_asset_key_for_model([portfolio_dbt_models], suite.dbt_model) for suite in SUITES],
)
def published_warehouse(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """The marts of the last build whose quality checks passed, swapped in atomically."""
    tables = publish_marts(warehouse.build_db, warehouse.published_db, run_id=context.run_id)
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(warehouse.published_db)), "tables": tables}
    )
