"""Ingest assets: Jira -> one raw landing batch (one asset per table) -> classified issues."""

from datetime import UTC, datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingest.classify import (
    ISSUES_FILE,
    MISSIONS_FILE,
    PROJECTS_FILE,
    TEAM_TARGETS_FILE,
    classified_frames,
    write_classification,
)
from ingest.extract import extract_to_landing
from ingest.fields import FieldDiscoveryError
from ingest.jira_client import JiraAccessError
from ingest.rules import RulesError
from orchestration.defs.resources import ClassificationResource, JiraResource, WarehouseResource

LANDED_TABLES = {
    "issues": "Every issue in scope, one version per batch, raw JSON beside typed columns.",
    "changelog_items": "Every changed field of every issue's complete changelog.",
    "worklogs": "Every worklog of the landed issues, complete.",
    "issue_links": "Issue links, one row per side (outward and inward).",
    "users": "People the landed issues mention (emails only where allowed).",
    "statuses": "The site's statuses with their status categories.",
    "fields": "The site's field catalogue (ids differ per site).",
    "boards": "Agile boards.",
    "sprints": "Sprints of the scrum boards.",
    "deletions": "Issues found deleted from Jira by reconciliation (kept, flagged).",
}


class JiraLandingConfig(Config):
    full_refresh: bool = False


@multi_asset(
    specs=[
        AssetSpec(["jira", table], description=description, group_name="ingest", kinds={"jira"})
        for table, description in LANDED_TABLES.items()
    ]
)
def jira_landing(
    context: AssetExecutionContext,
    config: JiraLandingConfig,
    jira: JiraResource,
    warehouse: WarehouseResource,
):
    """Every table of one extraction batch: incremental from the scope's high-water mark."""
    batch_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}Z-{context.run_id[:8]}"
    try:
        result = extract_to_landing(
            jira.reader(),
            warehouse.landing_dir,
            batch_id,
            jira.options(full_refresh=config.full_refresh),
            run_id=context.run_id,
            log=context.log.info,
        )
    except (JiraAccessError, FieldDiscoveryError) as error:
        raise Failure(description=str(error), allow_retries=False) from None
    for table in LANDED_TABLES:
        yield MaterializeResult(
            asset_key=AssetKey(["jira", table]),
            metadata={
                "batch_id": result.batch_id,
                "mode": result.mode,
                "rows": result.row_counts.get(table, 0),
                "watermark_to": str(result.watermark_to),
                "requests": MetadataValue.json(dict(result.requests)),
                "batch_dir": MetadataValue.path(str(result.batch_dir)),
            },
        )


CLASSIFIED_TABLES = {
    ISSUES_FILE: (
        "classified_issues",
        "Every landed issue's project, teams, mission, risk tier, success curve, impact, "
        "p_success, work type and unplanned flag, each with the reason that decided it.",
    ),
    PROJECTS_FILE: (
        "classified_projects",
        "One row per project (and per UNPLANNED-<team> bucket) with its decisions and reasons.",
    ),
    TEAM_TARGETS_FILE: (
        "team_tier_targets",
        "Each team's target share per risk tier from the rules file (its own, else the default).",
    ),
    MISSIONS_FILE: ("missions", "The strategic missions configured in the rules file."),
}


@multi_asset(
    specs=[
        AssetSpec(
            ["classification", name],
            description=description,
            group_name="ingest",
            kinds={"polars"},
            deps=[AssetKey(["jira", "issues"]), AssetKey(["jira", "fields"])],
        )
        for name, description in CLASSIFIED_TABLES.values()
    ]
)
def classified_issues(warehouse: WarehouseResource, classification: ClassificationResource):
    """Classify the landed issues by the rules file; an invalid file stops here, naming the fix."""
    try:
        rules = classification.rules()
        result = write_classification(warehouse.landing_dir, warehouse.classified_dir, rules)
    except RulesError as error:
        raise Failure(description=str(error), allow_retries=False) from None
    tiers = dict(result.projects.group_by("risk_tier").len().drop_nulls().iter_rows())
    rows = {file: frame.height for file, frame in classified_frames(result).items()}
    for file, (name, _) in CLASSIFIED_TABLES.items():
        yield MaterializeResult(
            asset_key=AssetKey(["classification", name]),
            metadata={
                "rows": rows[file],
                "rules_file": rules.source,
                "project_tiers": MetadataValue.json(tiers),
                "path": MetadataValue.path(str(warehouse.classified_dir / file)),
            },
        )
