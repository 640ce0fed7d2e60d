"""A failing Great Expectations suite blocks publishing; a passing one lets it through."""

from __future__ import annotations

import duckdb
import pytest
from dagster import AssetSelection, AssetSpec, materialize


def build_mart(database, moonshot_share: float) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.fct_team_quarter as select "
            "'Payments' as team, date '2026-04-01' as quarter_start, "
            "0.6 as sure_thing_share, 0.3 as linear_bet_share, "
            f"{moonshot_share} as moonshot_share, "
            "0.0 as unclassified_share, 0.1 as unplanned_share, 0.0 as mix_drift, "
            "0.8 as flow_efficiency, 0.0 as aging_wip_ratio, 'balanced' as posture, "
            "10.0 as total_effort, 10.0 as classified_effort, 6.0 as sure_thing_effort, "
            "3.0 as linear_bet_effort, 1.0 as moonshot_effort, "
            "3.0 as cycle_time_p50_days, 7.0 as cycle_time_p85_days, "
            "9.0 as lead_time_p50_days, 20.0 as lead_time_p85_days"
        )


@pytest.fixture
def gate(dbt_manifest, tmp_path):
    from expectations.suites.fct_team_quarter import SUITE
    from orchestration.defs.publish import published_warehouse
    from orchestration.defs.quality import suite_check
    from orchestration.defs.resources import WarehouseResource

    check = suite_check(SUITE)
    warehouse = WarehouseResource(data_dir=str(tmp_path))

    def run(moonshot_share: float):
        build_mart(warehouse.build_db, moonshot_share)
        mart = AssetSpec(next(iter(check.check_keys)).asset_key)
        result = materialize(
            [mart, check, published_warehouse],
            selection=AssetSelection.checks(check) | AssetSelection.assets(published_warehouse),
            resources={"warehouse": warehouse},
            raise_on_error=False,
        )
        return result, warehouse

    return run


def test_failing_suite_blocks_publishing(gate):
    result, warehouse = gate(moonshot_share=0.3)
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "classified_share_total" in evaluation.description
    assert not result.get_asset_materialization_events()
    assert not warehouse.published_db.exists()


def test_passing_suite_publishes(gate):
    result, warehouse = gate(moonshot_share=0.1)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed
    assert [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()] == [
        "published_warehouse"
    ]
    assert warehouse.published_db.exists()
