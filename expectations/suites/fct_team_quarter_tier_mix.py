"""Invariants of the per-team tier mix (spec section 8) that gate publishing."""

import great_expectations.expectations as gxe

from expectations.suite import Suite

TIERS = ("sure_thing", "linear_bet", "moonshot")
SHARE_TOLERANCE = 1e-9


def _expectations() -> list[gxe.Expectation]:
    shares = [f"{tier}_share" for tier in TIERS]
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="team"),
        gxe.ExpectColumnValuesToNotBeNull(column="quarter_start"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["team", "quarter_start"]),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=share, min_value=0, max_value=1)
            for share in shares
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="classified_share_total",
            min_value=1 - SHARE_TOLERANCE,
            max_value=1 + SHARE_TOLERANCE,
            row_condition="classified_days > 0",
            condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="mix_drift", min_value=0, max_value=1),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=days, min_value=0)
            for days in ("total_days", "classified_days", "unclassified_days")
        ),
    ]


SUITE = Suite(
    name="fct_team_quarter_tier_mix",
    relation="marts.fct_team_quarter_tier_mix",
    columns=(
        "team",
        "quarter_start",
        *(f"{tier}_share" for tier in TIERS),
        " + ".join(f"{tier}_share" for tier in TIERS) + " as classified_share_total",
        "mix_drift",
        "total_days",
        "classified_days",
        "unclassified_days",
    ),
    expectations=_expectations,
)
