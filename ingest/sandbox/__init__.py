"""A local Jira sandbox, Cloud or Data Center: a seeded engineering organisation served in Jira's
wire format, with fault injection and mutations for resilience tests.

For tests and demos only; production code never imports it.
"""

from ingest.sandbox.faults import (
    RATE_LIMIT_BURST,
    RATE_LIMIT_GLOBAL,
    RATE_LIMIT_PER_ISSUE,
    RATE_LIMIT_TENANT,
    Fault,
)
from ingest.sandbox.generator import (
    Changelogs,
    EpicTruth,
    OrgTruth,
    SandboxOrg,
    TeamTruth,
    generate_org,
)
from ingest.sandbox.server import DEMO_API_TOKEN, RequestRecord, SandboxServer

__all__ = [
    "DEMO_API_TOKEN",
    "RATE_LIMIT_BURST",
    "RATE_LIMIT_GLOBAL",
    "RATE_LIMIT_PER_ISSUE",
    "RATE_LIMIT_TENANT",
    "Changelogs",
    "EpicTruth",
    "Fault",
    "OrgTruth",
    "RequestRecord",
    "SandboxOrg",
    "SandboxServer",
    "TeamTruth",
    "generate_org",
]
