"""Resources: the Jira connection from the environment, warehouse paths from config, dbt."""

import os
import shutil
import sys
from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource, DbtProject
from pydantic import Field

from ingest.jira_client import JiraReader, JiraSettings

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is parsed on load; other entry points call prepare_dbt_manifest.
dbt_project.prepare_if_dev()


class JiraResource(ConfigurableResource):
    """One Jira site; the token is only ever held in memory."""

    url: str = Field(description="Site root, e.g. https://your-org.atlassian.net")
    email: str = Field(description="Account email for basic auth")
    api_token: str = Field(description="API token (from the environment, never stored)")
    projects: str = Field(default="", description="Comma-separated project keys in scope")
    jql: str = Field(default="", description="Extra JQL restricting the scope")

    def reader(self) -> JiraReader:
        projects = tuple(key.strip() for key in self.projects.split(",") if key.strip())
        return JiraReader(
            JiraSettings(
                url=self.url.rstrip("/"),
                email=self.email,
                api_token=self.api_token,
                projects=projects,
                jql=self.jql,
            )
        )


class WarehouseResource(ConfigurableResource):
    """Where each stage reads and writes; every path is absolute so no stage depends on its cwd."""

    data_dir: str = Field(description="Root folder of landing, classification and warehouses")

    @property
    def root(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def classified_path(self) -> Path:
        return self.root / "classified" / "classified_issues.parquet"

    @property
    def build_db(self) -> Path:
        return self.root / "build" / "portfolio_build.duckdb"

    @property
    def published_db(self) -> Path:
        return self.root / "published" / "portfolio.duckdb"

    def dbt_vars(self) -> dict[str, str]:
        return {
            "landing_dir": str(self.landing_dir),
            "classified_path": str(self.classified_path),
            "build_db_path": str(self.build_db),
        }


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
            email=EnvVar("JIRA_EMAIL"),
            api_token=EnvVar("JIRA_API_TOKEN"),
            projects=_optional_env("JIRA_PROJECTS"),
            jql=_optional_env("JIRA_JQL"),
        ),
        "warehouse": WarehouseResource(
            data_dir=str(Path(os.environ.get("PORTFOLIO_DATA_DIR", "data")).resolve())
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable()),
    }
