"""The one Definitions object loads, and its asset graph has the shape the data flow promises."""

from __future__ import annotations

import pytest
from dagster import AssetKey


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs

    return defs


def test_definitions_load_and_validate(defs):
    repository = defs.get_repository_def()
    assert repository.get_job("portfolio_pipeline")
    assert [s.name for s in repository.schedule_defs] == ["nightly_portfolio_pipeline"]


def test_asset_graph_flows_ingest_classify_dbt_check_publish(defs):
    graph = defs.resolve_asset_graph()
    key = AssetKey
    deps = {
        k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys}
        for k in graph.get_all_asset_keys()
    }
    assert deps["jira/issues"] == set()
    assert deps["classification/classified_issues"] == {"jira/issues", "jira/fields"}
    assert deps["staging/stg_jira__issues"] == {"jira/issues", "jira/deletions"}
    assert deps["staging/stg_jira__changelog_items"] == {"jira/changelog_items"}
    assert deps["staging/stg_classification__issues"] == {"classification/classified_issues"}
    marts = {k.to_user_string() for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert {"marts/fct_team_quarter", "marts/fct_project_health"} <= marts
    assert deps["published_warehouse"] == marts
    checks = {(c.asset_key, c.name) for c in graph.asset_check_keys}
    assert (key(["marts", "fct_team_quarter"]), "gx_fct_team_quarter") in checks
    check_spec = graph.get_check_spec(
        next(c for c in graph.asset_check_keys if c.name == "gx_fct_team_quarter")
    )
    assert check_spec.blocking


def test_resources_take_secrets_from_the_environment_not_from_code(defs):
    jira = defs.resources["jira"]
    for field in ("url", "api_token"):
        assert type(getattr(jira, field)).__name__ == "EnvVar", field
