"""Resources: the Jira connection from the environment, warehouse paths from config, dbt."""

import os
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource, DbtProject
from pydantic import Field

from ingest.extract import ExtractionOptions
from ingest.http_policy import RetryPolicy
from ingest.jira_client import JiraReader, JiraSettings
from ingest.rules import DEFAULT_RULES_FILE, Rules, load_rules

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is parsed on load; other entry points call prepare_dbt_manifest.
dbt_project.prepare_if_dev()


class JiraResource(ConfigurableResource):
    """One Jira site and the extraction scope; the token is only ever held in memory."""

    url: str = Field(description="Site root, e.g. https://your-org.atlassian.net")
    email: str = Field(
        default="", description="Account email for Cloud basic auth; empty for a DC bearer token"
    )
    api_token: str = Field(description="API token or personal access token (from the environment)")
    projects: str = Field(default="", description="Comma-separated project keys in scope")
    jql: str = Field(default="", description="Extra JQL restricting the scope")
    deployment: str = Field(default="auto", description="auto, cloud or datacenter")
    workers: int = Field(default=4, description="Concurrent scans (one per project)")
    max_requests_per_second: float = Field(default=20.0, description="Client-side rate cap")
    overlap_minutes: float = Field(default=15, description="Re-read before the high-water mark")
    reconcile_every_days: float = Field(default=7, description="How often to look for deletions")
    include_emails: bool = Field(default=False, description="Store users' email addresses")
    field_overrides: str = Field(
        default="", description="role=field id or name, comma-separated (story_points=...)"
    )

    def reader(self) -> JiraReader:
        projects = tuple(key.strip() for key in self.projects.split(",") if key.strip())
        return JiraReader(
            JiraSettings(
                url=self.url.rstrip("/"),
                email=self.email,
                api_token=self.api_token,
                projects=projects,
                jql=self.jql,
                deployment=self.deployment,
                workers=self.workers,
                retry=RetryPolicy(max_requests_per_second=self.max_requests_per_second or None),
            )
        )

    def options(self, *, full_refresh: bool) -> ExtractionOptions:
        overrides = dict(
            pair.split("=", 1) for pair in self.field_overrides.split(",") if "=" in pair
        )
        return ExtractionOptions(
            full_refresh=full_refresh,
            overlap=timedelta(minutes=self.overlap_minutes),
            reconcile_every=timedelta(days=self.reconcile_every_days),
            include_emails=self.include_emails,
            field_overrides={role.strip(): value.strip() for role, value in overrides.items()},
        )


class WarehouseResource(ConfigurableResource):
    """Where each stage reads and writes; every path is absolute so no stage depends on its cwd."""

    data_dir: str = Field(description="Root folder of landing, classification and warehouses")
    as_of_date: str = Field(
        default="",
        description="The day (YYYY-MM-DD) 'now' metrics are computed for; empty means today",
    )

    @property
    def root(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def classified_dir(self) -> Path:
        return self.root / "classified"

    @property
    def build_db(self) -> Path:
        return self.root / "build" / "portfolio_build.duckdb"

    @property
    def published_db(self) -> Path:
        return self.root / "published" / "portfolio.duckdb"

    def dbt_vars(self) -> dict[str, str]:
        paths = {
            "landing_dir": str(self.landing_dir),
            "classified_dir": str(self.classified_dir),
            "build_db_path": str(self.build_db),
        }
        if not self.as_of_date:
            return paths
        try:
            as_of = date.fromisoformat(self.as_of_date)
        except ValueError:
            raise ValueError(
                f"PORTFOLIO_AS_OF_DATE={self.as_of_date!r} is not a date. "
                "Fix: set it as YYYY-MM-DD, or unset it to compute as of today."
            ) from None
        return paths | {"as_of_date": as_of.isoformat()}


class ClassificationResource(ConfigurableResource):
    """The classification rules file; it is validated completely before anything is classified."""

    rules_file: str = Field(
        default=str(DEFAULT_RULES_FILE), description="The rules file (PORTFOLIO_RULES_FILE)"
    )

    def rules(self) -> Rules:
        return load_rules(self.rules_file)


def _dbt_executable() -> str:
    """The dbt installed beside this interpreter (the venv's), so PATH does not decide."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else shutil.which("dbt") or "dbt"


def prepare_dbt_manifest() -> Path:
    """Parse the dbt project: the dbt assets are defined from its manifest."""
    DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable()).cli(
        ["parse", "--quiet"], target_path=dbt_project.target_path
    ).wait()
    return dbt_project.manifest_path


def _optional_env(name: str) -> str:
    return os.environ.get(name, "")


def default_resources() -> dict[str, object]:
    return {
        "jira": JiraResource(
            url=EnvVar("JIRA_URL"),
            email=_optional_env("JIRA_EMAIL"),
            api_token=EnvVar("JIRA_API_TOKEN"),
            projects=_optional_env("JIRA_PROJECTS"),
            jql=_optional_env("JIRA_JQL"),
            deployment=_optional_env("JIRA_DEPLOYMENT") or "auto",
            field_overrides=_optional_env("JIRA_FIELD_OVERRIDES"),
            include_emails=_optional_env("JIRA_INCLUDE_EMAILS").lower() in ("1", "true", "yes"),
        ),
        "warehouse": WarehouseResource(
            data_dir=str(Path(os.environ.get("PORTFOLIO_DATA_DIR", "data")).resolve()),
            as_of_date=_optional_env("PORTFOLIO_AS_OF_DATE"),
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable()),
        "classification": ClassificationResource(
            rules_file=os.environ.get("PORTFOLIO_RULES_FILE") or str(DEFAULT_RULES_FILE)
        ),
    }
