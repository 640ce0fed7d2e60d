"""Publishing: the marts, copied into a read-only warehouse file that readers can open any time."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import DBT_POOL, portfolio_dbt_models
from orchestration.publishing import PUBLISHED_SCHEMAS, publish_marts

# Every published relation is a dependency, so its dbt tests and blocking suites gate the swap.
PUBLISHED_MODELS = sorted(
    key for key in portfolio_dbt_models.keys if key.path[0] in PUBLISHED_SCHEMAS
)


@asset(group_name="publish", kinds={"duckdb"}, pool=DBT_POOL, deps=PUBLISHED_MODELS)
def published_warehouse(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """The marts of the last build whose quality checks passed, swapped in atomically."""
    tables = publish_marts(warehouse.build_db, warehouse.published_db, run_id=context.run_id)
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(warehouse.published_db)), "tables": tables}
    )
