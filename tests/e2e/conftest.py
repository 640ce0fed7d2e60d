"""One pipeline run against the local Jira sandbox, shared by every end-to-end test module."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ingest.sandbox.generator import SandboxOrg, generate_org
from ingest.sandbox.server import SandboxServer

EMAIL, TOKEN = "e2e@example.com", "e2e-token-not-a-secret"


@pytest.fixture(scope="session")
def org() -> SandboxOrg:
    return generate_org(seed=11)


@pytest.fixture(scope="session")
def sandbox(org):
    with SandboxServer(org, email=EMAIL, api_token=TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def run_pipeline(org) -> Callable:
    def run(data_dir, url: str, token: str = TOKEN):
        """Materialise every asset once, as the nightly job does, with the given connection; the
        warehouse is computed as of the org's last day, as that day's nightly run would be."""
        from dagster import materialize

        from orchestration.definitions import defs
        from orchestration.defs.resources import JiraResource, WarehouseResource

        resources = {
            **defs.resources,
            "jira": JiraResource(url=url, email=EMAIL, api_token=token),
            "warehouse": WarehouseResource(
                data_dir=str(data_dir), as_of_date=org.truth.as_of.isoformat()
            ),
        }
        return materialize(
            [*defs.assets, *defs.asset_checks], resources=resources, raise_on_error=False
        )

    return run


@pytest.fixture(scope="session")
def published(sandbox, run_pipeline, dbt_manifest, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    result = run_pipeline(data_dir, sandbox.url)
    assert result.success
    return data_dir, result
