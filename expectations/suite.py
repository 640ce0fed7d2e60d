"""What a suite is: a relation of the build warehouse, the columns it needs, and expectations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from great_expectations.expectations import Expectation


@dataclass(frozen=True)
class Suite:
    name: str
    # schema-qualified relation in the build warehouse, e.g. marts.fct_team_quarter
    relation: str
    # SQL select expressions: only these columns are loaded (GX's pandas path copies the data)
    columns: Sequence[str]
    # built fresh per run: GX attaches expectations to one suite object
    expectations: Callable[[], list[Expectation]]

    @property
    def dbt_model(self) -> str:
        return self.relation.rsplit(".", 1)[-1]
