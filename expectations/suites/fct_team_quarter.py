"""Invariants of the per-team quarterly metrics (spec section 8) that gate publishing."""

import great_expectations.expectations as gxe

from expectations.suite import Suite

TIERS = ("sure_thing", "linear_bet", "moonshot")
POSTURES = ("risk_averse", "balanced", "too_bold")
SHARE_TOLERANCE = 1e-9
SHARES = (
    *(f"{tier}_share" for tier in TIERS),
    "unclassified_share",
    "unplanned_share",
    "mix_drift",
    "flow_efficiency",
    "aging_wip_ratio",
)
EFFORTS = ("total_effort", "classified_effort", *(f"{tier}_effort" for tier in TIERS))


def _expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="team"),
        gxe.ExpectColumnValuesToNotBeNull(column="quarter_start"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["team", "quarter_start"]),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=share, min_value=0, max_value=1)
            for share in SHARES
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="classified_share_total",
            min_value=1 - SHARE_TOLERANCE,
            max_value=1 + SHARE_TOLERANCE,
            row_condition="classified_effort > 0",
            condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToBeInSet(column="posture", value_set=list(POSTURES)),
        *(gxe.ExpectColumnValuesToBeBetween(column=effort, min_value=0) for effort in EFFORTS),
        # quantiles of one sample cannot cross
        *(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=f"{duration}_p85_days",
                column_B=f"{duration}_p50_days",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
            for duration in ("cycle_time", "lead_time")
        ),
    ]


SUITE = Suite(
    name="fct_team_quarter",
    relation="marts.fct_team_quarter",
    columns=(
        "team",
        "quarter_start",
        *SHARES,
        " + ".join(f"{tier}_share" for tier in TIERS) + " as classified_share_total",
        "posture",
        *EFFORTS,
        "cycle_time_p50_days",
        "cycle_time_p85_days",
        "lead_time_p50_days",
        "lead_time_p85_days",
    ),
    expectations=_expectations,
)
