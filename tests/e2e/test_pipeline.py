"""The whole pipeline, in process, against the local Jira sandbox: real HTTP, real dbt, real GX."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.e2e

TOKEN = "e2e-token-not-a-secret"  # the sandbox's token (tests/e2e/conftest.py)


def test_every_asset_materialises_and_the_quality_gate_passes(published):
    _, result = published
    materialised = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    assert {
        "jira/issues",
        "classification/classified_issues",
        "marts/fct_team_quarter",
        "marts/fct_project_health",
        "marts/fct_org_quarter",
        "published_warehouse",
    } <= materialised
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["gx_fct_team_quarter"]
    assert all(checks.values()), [name for name, passed in checks.items() if not passed]
    # dbt's own tests arrive as checks too
    assert "unique_fct_team_quarter_team_quarter_id" in checks


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
            "classified_effort from marts.fct_team_quarter"
        ).fetchall()
    keys = [(team, quarter) for team, quarter, *_ in rows]
    assert len(keys) == len(set(keys))
    assert set(org.truth.teams) <= {team for team, _ in keys}
    assert len({quarter for _, quarter in keys}) >= 4
    for team, quarter, sure, linear, moonshot, classified in rows:
        if classified > 0:
            assert sure + linear + moonshot == pytest.approx(1, abs=1e-9), (team, quarter)


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        (None, "wrong-token", "rejected the credentials"),
        ("http://127.0.0.1:9", TOKEN, "cannot reach Jira"),
    ],
)
def test_bad_connection_fails_in_one_line_and_keeps_the_published_warehouse(
    published, sandbox, run_pipeline, url, token, message
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
