"""The nightly run of the whole pipeline."""

import os

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

portfolio_job = define_asset_job(
    "portfolio_pipeline",
    selection=AssetSelection.all(),
    description="Extract Jira, classify, build and check the warehouse, then publish it.",
)

nightly_schedule = ScheduleDefinition(
    name="nightly_portfolio_pipeline",
    job=portfolio_job,
    cron_schedule=os.environ.get("PORTFOLIO_SCHEDULE_CRON", "0 5 * * *"),
    execution_timezone=os.environ.get("PORTFOLIO_SCHEDULE_TIMEZONE", "UTC"),
    default_status=DefaultScheduleStatus.STOPPED,
)
