"""A local Jira Cloud sandbox: a seeded engineering organisation served in Jira's wire format.

For tests and demos only; production code never imports it.
"""

from ingest.sandbox.generator import EpicTruth, OrgTruth, SandboxOrg, TeamTruth, generate_org
from ingest.sandbox.server import DEMO_API_TOKEN, RequestRecord, SandboxServer

__all__ = [
    "DEMO_API_TOKEN",
    "EpicTruth",
    "OrgTruth",
    "RequestRecord",
    "SandboxOrg",
    "SandboxServer",
    "TeamTruth",
    "generate_org",
]
