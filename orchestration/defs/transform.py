"""dbt models as assets; sources link to the ingest assets through their `meta.dagster` keys."""

import json

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.resources import WarehouseResource, dbt_project

DBT_POOL = "warehouse_build"


@dbt_assets(manifest=dbt_project.manifest_path, pool=DBT_POOL)
def portfolio_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    warehouse.build_db.parent.mkdir(parents=True, exist_ok=True)
    dbt_vars = json.dumps(warehouse.dbt_vars())
    yield from dbt.cli(["build", "--vars", dbt_vars], context=context).stream()
