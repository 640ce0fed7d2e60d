"""The one Definitions object of the portfolio warehouse; each concern lives in defs/."""

from dagster import Definitions

from orchestration.defs.ingest import classified_issues, jira_landing
from orchestration.defs.publish import published_warehouse
from orchestration.defs.quality import suite_checks
from orchestration.defs.resources import default_resources
from orchestration.defs.schedules import nightly_schedule, portfolio_job
from orchestration.defs.transform import portfolio_dbt_models

defs = Definitions(
    assets=[jira_landing, classified_issues, portfolio_dbt_models, published_warehouse],
    asset_checks=suite_checks,
    jobs=[portfolio_job],
    schedules=[nightly_schedule],
    resources=default_resources(),
)
