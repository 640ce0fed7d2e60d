"""Fixtures for the sandbox tests: one organisation and one server per deployment per session, and
validation against Atlassian's published OpenAPI descriptions of the Jira Cloud platform and
agile APIs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from openapi_schema_validator import OAS30ReadValidator

from ingest.sandbox import SandboxServer, generate_org

# shared/ sits beside the repository (read-only reference material)
_DEFAULT_REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "jira-reference"
_REFERENCE = Path(os.environ.get("JIRA_REFERENCE_DIR", _DEFAULT_REFERENCE))
PLATFORM_SPEC = _REFERENCE / "openapi" / "jira-platform-v3.openapi.json"
AGILE_SPEC = _REFERENCE / "openapi" / "jira-software-agile.openapi.json"


@pytest.fixture(scope="session")
def org():
    return generate_org(seed=7)


@pytest.fixture(scope="session")
def sandbox(org):
    """The shared Cloud server: never changed by tests (see ``private_sandbox``)."""
    with SandboxServer(org) as server:
        yield server


@pytest.fixture(scope="session")
def http(sandbox):
    """A session authenticated as the sandbox's user."""
    with requests.Session() as session:
        session.auth = (sandbox.email, sandbox.api_token)
        yield session


@pytest.fixture(scope="session")
def dc_sandbox(org):
    with SandboxServer(org, deployment="datacenter", api_token="dc-personal-access-token") as dc:
        yield dc


@pytest.fixture(scope="session")
def dc_http(dc_sandbox):
    """A session with a Data Center personal access token, sent as a bearer token."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {dc_sandbox.api_token}"
        yield session


@pytest.fixture
def private_sandbox(org) -> Iterator[Callable[..., SandboxServer]]:
    """``private_sandbox(**options)``: a server of its own, for tests that change or break it."""
    servers = []

    def start(**options) -> SandboxServer:
        servers.append(SandboxServer(org, **options).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def search_pages(sandbox, http) -> Callable[..., list[dict]]:
    """Every page of GET search/jql for a query, walked by nextPageToken."""

    def walk(jql: str, *, server=None, **params) -> list[dict]:
        url = f"{(server or sandbox).url}/rest/api/3/search/jql"
        pages, token = [], None
        while True:
            page_params = {"jql": jql, **params, **({"nextPageToken": token} if token else {})}
            response = http.get(url, params=page_params)
            assert response.status_code == 200, response.text
            pages.append(response.json())
            token = pages[-1].get("nextPageToken")
            if token is None:
                return pages

    return walk


def _load(spec: Path) -> dict:
    if not spec.exists():
        pytest.fail(f"Jira OpenAPI description not found at {spec}: set JIRA_REFERENCE_DIR")
    return json.loads(spec.read_text())


@pytest.fixture(scope="session")
def openapi_components() -> dict:
    """The platform spec's components, loaded once: the file is large."""
    components = _load(PLATFORM_SPEC)["components"]
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


@pytest.fixture(scope="session")
def assert_agile_schema() -> Callable[[object, str], None]:
    """``assert_agile_schema(page, "boards" | "sprints")`` against the agile spec.

    The board list's response schema is the spec's own; the sprint list documents only an
    example, so its page is checked as the board page's envelope around SprintBean values.
    """
    spec = _load(AGILE_SPEC)
    boards = spec["paths"]["/rest/agile/1.0/board"]["get"]["responses"]["200"]["content"]
    board_page = boards["application/json"]["schema"]
    sprint_page = {
        **board_page,
        "properties": {
            **board_page["properties"],
            "values": {"type": "array", "items": {"$ref": "#/components/schemas/SprintBean"}},
        },
    }
    schemas = {"boards": board_page, "sprints": sprint_page}

    def check(instance, name: str) -> None:
        schema = {**schemas[name], "components": spec["components"]}
        OAS30ReadValidator(schema).validate(instance)

    return check
