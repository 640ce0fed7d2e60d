"""Publishing swaps in a complete copy of the marts, or leaves the last one untouched."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.publishing import publish_marts


def build(path, rows: int) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create schema if not exists staging")
        connection.execute("create or replace table staging.stg_x as select 1 as id")
        connection.execute(
            f"create or replace table marts.fct_mix as select range as id from range({rows})"
        )
        connection.execute("comment on table marts.fct_mix is 'The mix.'")
        connection.execute("comment on column marts.fct_mix.id is 'The key.'")


def test_publishes_only_the_marts_with_their_documentation(tmp_path):
    build(tmp_path / "build.duckdb", 3)
    counts = publish_marts(tmp_path / "build.duckdb", tmp_path / "pub" / "w.duckdb", run_id="r1")
    assert counts == {"marts.fct_mix": 3}
    with duckdb.connect(str(tmp_path / "pub" / "w.duckdb"), read_only=True) as published:
        tables = published.sql(
            "select schema_name || '.' || table_name, comment from duckdb_tables() order by 1"
        ).fetchall()
        assert tables == [("marts.fct_mix", "The mix."), ("meta.publication", None)]
        assert published.sql(
            "select comment from duckdb_columns() where table_name = 'fct_mix'"
        ).fetchall() == [("The key.",)]
        assert published.sql("select run_id from meta.publication").fetchall() == [("r1",)]
    assert [p.name for p in (tmp_path / "pub").iterdir()] == ["w.duckdb"]


def test_a_failed_publish_keeps_the_previous_warehouse(tmp_path):
    build(tmp_path / "build.duckdb", 3)
    published = tmp_path / "w.duckdb"
    publish_marts(tmp_path / "build.duckdb", published, run_id="r1")
    with pytest.raises(duckdb.Error):
        publish_marts(tmp_path / "missing.duckdb", published, run_id="r2")
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.sql("select run_id from meta.publication").fetchall() == [("r1",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.duckdb", "w.duckdb"]


def test_republishing_replaces_the_whole_file(tmp_path):
    build(tmp_path / "build.duckdb", 3)
    published = tmp_path / "w.duckdb"
    publish_marts(tmp_path / "build.duckdb", published, run_id="r1")
    build(tmp_path / "build.duckdb", 5)
    publish_marts(tmp_path / "build.duckdb", published, run_id="r2")
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.fct_mix").fetchall() == [(5,)]
        assert connection.sql("select run_id from meta.publication").fetchall() == [("r2",)]
