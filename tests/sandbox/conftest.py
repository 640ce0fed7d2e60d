"""Fixtures for the sandbox tests: one organisation and one server per session, and validation
against Atlassian's published OpenAPI description of the Jira Cloud platform API."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from openapi_schema_validator import OAS30ReadValidator

from ingest.sandbox import SandboxServer, generate_org

# shared/ sits beside the repository (read-only reference material)
_DEFAULT_REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "jira-reference"
_REFERENCE = Path(os.environ.get("JIRA_REFERENCE_DIR", _DEFAULT_REFERENCE))
PLATFORM_SPEC = _REFERENCE / "openapi" / "jira-platform-v3.openapi.json"


@pytest.fixture(scope="session")
def org():
    return generate_org(seed=7)


@pytest.fixture(scope="session")
def sandbox(org):
    with SandboxServer(org) as server:
        yield server


@pytest.fixture(scope="session")
def http(sandbox):
    """A session authenticated as the sandbox's user."""
    with requests.Session() as session:
        session.auth = (sandbox.email, sandbox.api_token)
        yield session


@pytest.fixture(scope="session")
def search_pages(sandbox, http) -> Callable[..., list[dict]]:
    """Every page of GET search/jql for a query, walked by nextPageToken."""

    def walk(jql: str, **params) -> list[dict]:
        pages, token = [], None
        while True:
            page_params = {"jql": jql, **params, **({"nextPageToken": token} if token else {})}
            response = http.get(f"{sandbox.url}/rest/api/3/search/jql", params=page_params)
            assert response.status_code == 200, response.text
            pages.append(response.json())
            token = pages[-1].get("nextPageToken")
            if token is None:
                return pages

    return walk


@pytest.fixture(scope="session")
def openapi_components() -> dict:
    """The spec's components, loaded once: the file is large."""
    if not PLATFORM_SPEC.exists():
        pytest.fail(
            f"Jira OpenAPI description not found at {PLATFORM_SPEC}: set JIRA_REFERENCE_DIR"
        )
    components = json.loads(PLATFORM_SPEC.read_text())["components"]
    # Jira sends null for absent values in changelog items (the spec's own example for
    # GET /issue/{issueIdOrKey}/changelog does), though ChangeDetails omits `nullable`.
    for name in ("from", "fromString", "to", "toString"):
        components["schemas"]["ChangeDetails"]["properties"][name]["nullable"] = True
    return components


@pytest.fixture(scope="session")
def assert_schema(openapi_components) -> Callable[..., None]:
    """``assert_schema(instance, "IssueBean", array=False)`` raises on a mismatch.

    Formats are not checked: Jira's own datetimes ("+0000" offsets) are not RFC 3339.
    """

    def check(instance, name: str, *, array: bool = False) -> None:
        schema: dict = {"$ref": f"#/components/schemas/{name}"}
        if array:
            schema = {"type": "array", "items": schema}
        OAS30ReadValidator({**schema, "components": openapi_components}).validate(instance)

    return check
