"""Publishing the marts: build warehouse -> a fresh read-only file swapped in with one rename.

Readers (dashboards, analysts) never see a half-written warehouse, and a failed run leaves the last
published file untouched. Plain DuckDB, no Dagster: the asset in defs/publish.py calls it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relations(target: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(schema, name, comment) of every table and view of the published schemas in `build`."""
    return target.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = 'build' "
        "union all "
        "select schema_name, view_name, comment from duckdb_views() "
        "where database_name = 'build' "
        "order by 1, 2"
    ).fetchall()


def _copy_relation(
    target: duckdb.DuckDBPyConnection, schema: str, name: str, comment: str | None
) -> int:
    """Materialise one relation as a table, with its table and column comments; returns rows."""
    qualified = f"{_quote(schema)}.{_quote(name)}"
    target.execute(f"create table {qualified} as select * from build.{qualified}")
    if comment:
        target.execute(f"comment on table {qualified} is {_literal(comment)}")
    column_comments = target.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = 'build' and schema_name = ? and table_name = ? "
        "and comment is not null",
        [schema, name],
    ).fetchall()
    for column, text in column_comments:
        target.execute(f"comment on column {qualified}.{_quote(column)} is {_literal(text)}")
    [(rows,)] = target.execute(f"select count(*) from {qualified}").fetchall()
    return rows


def publish_marts(build_db: Path, published_db: Path, *, run_id: str) -> dict[str, int]:
    """Copy every relation of the published schemas, with its documentation; returns row counts."""
    published_db.parent.mkdir(parents=True, exist_ok=True)
    partial = published_db.with_name(f".{published_db.name}.{run_id}.partial")
    partial.unlink(missing_ok=True)
    row_counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(partial)) as target:
            target.execute(f"attach {_literal(str(build_db))} as build (read_only)")
            relations = [r for r in _relations(target) if r[0] in PUBLISHED_SCHEMAS]
            for schema in sorted({schema for schema, _, _ in relations}):
                target.execute(f"create schema {_quote(schema)}")
            for schema, name, comment in relations:
                row_counts[f"{schema}.{name}"] = _copy_relation(target, schema, name, comment)
            target.execute("detach build")
            target.execute("create schema meta")
            target.execute(
                "create table meta.publication as select ? as run_id, ? as published_at",
                [run_id, datetime.now(UTC)],
            )
            target.execute("checkpoint")
        os.replace(partial, published_db)
    finally:
        partial.unlink(missing_ok=True)
    return row_counts
