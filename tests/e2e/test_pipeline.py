"""The whole pipeline, in process, against the local Jira sandbox: real HTTP, real dbt, real GX."""

from __future__ import annotations

import duckdb
import pytest

from ingest.sandbox.generator import generate_org
from ingest.sandbox.server import SandboxServer

pytestmark = pytest.mark.e2e

EMAIL, TOKEN = "e2e@example.com", "e2e-token-not-a-secret"


@pytest.fixture(scope="module")
def org():
    return generate_org(seed=11)


@pytest.fixture(scope="module")
def sandbox(org):
    with SandboxServer(org, email=EMAIL, api_token=TOKEN) as server:
        yield server


def run_pipeline(data_dir, url: str, token: str = TOKEN):
    """Materialise every asset once, as the nightly job does, with the given connection."""
    from dagster import materialize

    from orchestration.definitions import defs
    from orchestration.defs.resources import JiraResource, WarehouseResource

    resources = {
        **defs.resources,
        "jira": JiraResource(url=url, email=EMAIL, api_token=token),
        "warehouse": WarehouseResource(data_dir=str(data_dir)),
    }
    return materialize(
        [*defs.assets, *defs.asset_checks], resources=resources, raise_on_error=False
    )


@pytest.fixture(scope="module")
def published(sandbox, dbt_manifest, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    result = run_pipeline(data_dir, sandbox.url)
    assert result.success
    return data_dir, result


def test_every_asset_materialises_and_the_quality_gate_passes(published):
    _, result = published
    materialised = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    assert {
        "jira/issues",
        "classification/classified_issues",
        "marts/fct_team_quarter_tier_mix",
        "published_warehouse",
    } <= materialised
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["gx_fct_team_quarter_tier_mix"]
    assert all(checks.values()), [name for name, passed in checks.items() if not passed]
    # dbt's own tests arrive as checks too
    assert "unique_fct_team_quarter_tier_mix_team_quarter_id" in checks


def test_landing_holds_every_issue_and_its_complete_history(published, org):
    data_dir, _ = published
    parts = f"{data_dir}/landing/batches/*/{{}}/*.parquet"
    with duckdb.connect() as connection:
        [(issues,)] = connection.execute(
            f"select count(distinct issue_id) from read_parquet('{parts.format('issues')}')"
        ).fetchall()
        histories = connection.execute(
            "select issue_id, count(distinct history_id) from "
            f"read_parquet('{parts.format('changelog_items')}') group by issue_id"
        ).fetchall()
    assert issues == len(org.issues)
    landed = dict(histories)
    for issue in org.issues:
        expected = len(org.changelogs.get(issue["id"], []))
        assert landed.get(issue["id"], 0) == expected, issue["key"]


def test_published_tier_mix_has_one_row_per_team_and_quarter_with_shares_summing_to_one(
    published, org
):
    data_dir, _ = published
    with duckdb.connect(
        str(data_dir / "published" / "portfolio.duckdb"), read_only=True
    ) as connection:
        rows = connection.sql(
            "select team, quarter_start, sure_thing_share, linear_bet_share, moonshot_share, "
            "classified_days from marts.fct_team_quarter_tier_mix"
        ).fetchall()
    keys = [(team, quarter) for team, quarter, *_ in rows]
    assert len(keys) == len(set(keys))
    assert {team for team, _ in keys} == set(org.truth.teams)
    assert len({quarter for _, quarter in keys}) >= 4
    for team, quarter, sure, linear, moonshot, classified in rows:
        if classified > 0:
            assert sure + linear + moonshot == pytest.approx(1, abs=1e-9), (team, quarter)


def test_planted_postures_show_in_the_mix(published, org):
    data_dir, _ = published
    with duckdb.connect(
        str(data_dir / "published" / "portfolio.duckdb"), read_only=True
    ) as connection:
        shares = dict(
            connection.sql(
                "select team, sum(moonshot_days) / sum(classified_days) from "
                "marts.fct_team_quarter_tier_mix group by team"
            ).fetchall()
        )
    postures = {team: truth.posture for team, truth in org.truth.teams.items()}
    bold = next(team for team, posture in postures.items() if posture == "too_bold")
    averse = next(team for team, posture in postures.items() if posture == "risk_averse")
    assert shares[bold] == max(shares.values())
    assert shares[averse] == min(shares.values())


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        (None, "wrong-token", "rejected the credentials"),
        ("http://127.0.0.1:9", TOKEN, "cannot reach Jira"),
    ],
)
def test_bad_connection_fails_in_one_line_and_keeps_the_published_warehouse(
    published, sandbox, tmp_path, url, token, message
):
    data_dir, _ = published
    before = (data_dir / "published" / "portfolio.duckdb").read_bytes()
    result = run_pipeline(data_dir, url or sandbox.url, token)
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert len(failures) == 1
    description = failures[0].step_failure_data.user_failure_data.description
    assert message in description and "\n" not in description
    assert token not in description
    assert (data_dir / "published" / "portfolio.duckdb").read_bytes() == before
    assert not result.get_asset_materialization_events()
