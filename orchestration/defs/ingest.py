"""Ingest assets: Jira -> one raw landing batch (three tables) -> classified issues."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from ingest.classify import write_classification
from ingest.extract import extract_to_landing
from ingest.fields import FieldDiscoveryError
from ingest.jira_client import JiraAccessError
from orchestration.defs.resources import JiraResource, WarehouseResource

LANDED_TABLES = {
    "issues": "Every issue in scope, newest version per batch, raw JSON beside typed columns.",
    "changelog_items": "Every changed field of every issue's complete changelog.",
    "statuses": "The site's statuses with their status categories.",
}


@multi_asset(
    specs=[
        AssetSpec(["jira", table], description=description, group_name="ingest", kinds={"jira"})
        for table, description in LANDED_TABLES.items()
    ]
)
def jira_landing(context: AssetExecutionContext, jira: JiraResource, warehouse: WarehouseResource):
    """Issues, complete changelogs and statuses of the configured scope, landed as one batch."""
    try:
        result = extract_to_landing(
            jira.reader(), warehouse.landing_dir, context.run_id, log=context.log.info
        )
    except (JiraAccessError, FieldDiscoveryError) as error:
        raise Failure(description=str(error), allow_retries=False) from None
    for table in LANDED_TABLES:
        yield MaterializeResult(
            asset_key=AssetKey(["jira", table]),
            metadata={
                "batch_id": result.batch_id,
                "jql": result.jql,
                "rows": result.row_counts.get(table, 0),
                "batch_dir": MetadataValue.path(str(result.batch_dir)),
            },
        )


@asset(
    key=["classification", "classified_issues"],
    group_name="ingest",
    kinds={"polars"},
    deps=[AssetKey(["jira", "issues"])],
)
def classified_issues(warehouse: WarehouseResource) -> MaterializeResult:
    """Every landed issue's project, owning and performing team and risk tier, with reasons."""
    rows = write_classification(warehouse.landing_dir, warehouse.classified_path)
    return MaterializeResult(
        metadata={"issues": rows, "path": MetadataValue.path(str(warehouse.classified_path))}
    )
