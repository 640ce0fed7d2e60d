"""The registry: every suite that gates publishing, one module per validated relation."""

from expectations.suite import Suite
from expectations.suites import fct_team_quarter

SUITES: tuple[Suite, ...] = (fct_team_quarter.SUITE,)
