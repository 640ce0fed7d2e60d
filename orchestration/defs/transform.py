"""dbt models as assets; sources link to the ingest assets through their `meta.dagster` keys."""

import json

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.resources import WarehouseResource, dbt_project

DBT_POOL = "warehouse_build"


class DbtBuildConfig(Config):
    # Rebuild incremental models (the daily snapshots) from scratch instead of adding new days.
    full_refresh: bool = False


@dbt_assets(manifest=dbt_project.manifest_path, pool=DBT_POOL)
def portfolio_dbt_models(
    context: AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
):
    warehouse.build_db.parent.mkdir(parents=True, exist_ok=True)
    args = ["build", "--vars", json.dumps(warehouse.dbt_vars())]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()
