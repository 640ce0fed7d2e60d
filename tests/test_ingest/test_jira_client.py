"""The Jira reader against the local sandbox: scope, paging, complete changelogs, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ingest.jira_client import (
    ORDER,
    JiraAccessError,
    JiraReader,
    JiraSettings,
    jql_minute,
    quote_jql,
    scope_clauses,
)
from ingest.sandbox import SandboxServer, generate_org

EMAIL, TOKEN = "reader@example.com", "reader-token-value"


@pytest.fixture(scope="module")
def org():
    return generate_org(seed=3)


@pytest.fixture(scope="module")
def sandbox(org):
    with SandboxServer(org, email=EMAIL, api_token=TOKEN) as server:
        yield server


def reader(sandbox, **settings) -> JiraReader:
    return JiraReader(JiraSettings(url=sandbox.url, email=EMAIL, api_token=TOKEN, **settings))


def test_configured_values_are_quoted_so_they_cannot_change_the_query():
    assert quote_jql('PAY" OR project = "X') == '"PAY\\" OR project = \\"X"'
    assert scope_clauses(("PAY", "A\\B"), "") == 'project in ("PAY", "A\\\\B")'
    assert scope_clauses((), "labels = x OR labels = y") == "(labels = x OR labels = y)"
    with pytest.raises(JiraAccessError, match="JIRA_PROJECTS"):
        scope_clauses((), " ")


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("moment", "literal"),
    [
        # Jira reads zone-less JQL times in the user's zone, to the minute: floor, never round up
        (datetime(2026, 11, 2, 9, 15, 42, tzinfo=UTC), '"2026/11/02 10:15"'),
        (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), '"2026/07/02 00:30"'),
        # 02:30 happens twice on 25 Oct 2026 in Berlin: step back so no issue is skipped
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), '"2026/10/25 01:30"'),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), '"2026/10/25 01:30"'),
    ],
)
def test_jql_times_are_in_the_users_zone_and_never_later_than_the_moment(moment, literal):
    assert jql_minute(moment, BERLIN) == literal


def test_without_a_configured_scope_every_browsable_project_is_a_partition(sandbox, org):
    keys = sorted({issue["fields"]["project"]["key"] for issue in org.issues})
    assert reader(sandbox).scope_partitions() == [f'project in ("{key}")' for key in keys]
    assert reader(sandbox, jql="labels = x").scope_partitions() == ["(labels = x)"]


def test_a_scan_covers_the_scope_once_with_complete_changelogs(sandbox, org):
    # two projects, one at least with an issue whose embedded changelog Jira truncates
    noisy_project = min(key.split("-")[0] for key in org.truth.noisy_issue_keys)
    projects = (noisy_project, "STRAT" if noisy_project != "STRAT" else "PAY")
    sandbox.request_log.clear()
    pages = list(reader(sandbox).scan(scope_clauses(projects, ""), ["*all"]))
    issues = [issue for page in pages for issue in page]
    in_scope = [i for i in org.issues if i["fields"]["project"]["key"] in projects]
    assert sorted(i["id"] for i in issues) == sorted(i["id"] for i in in_scope)
    assert len(pages) > 1
    for issue in issues:
        histories = issue["changelog"]["histories"]
        assert [h["id"] for h in histories] == [h["id"] for h in org.changelogs[issue["id"]]]
    noisy = [i for i in issues if i["key"] in org.truth.noisy_issue_keys]
    assert noisy, "the sandbox plants issues with truncated embedded changelogs"
    bulk = [r for r in sandbox.request_log if r.path.endswith("/changelog/bulkfetch")]
    assert {i for r in bulk for i in r.body["issueIdsOrKeys"]} == {i["id"] for i in noisy}


def test_keyset_paging_restarts_at_the_last_minute_seen(sandbox):
    sandbox.request_log.clear()
    list(reader(sandbox).scan('project in ("PAY")', ["updated"], expand=""))
    queries = [r.body["jql"] for r in sandbox.request_log if r.path.endswith("/search/jql")]
    assert queries[0] == '(project in ("PAY"))' + ORDER
    assert all(" AND updated >= " in query for query in queries[1:])
    assert all("nextPageToken" not in r.body for r in sandbox.request_log if r.body)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"api_token": "wrong"}, "rejected the credentials"),
        ({"api_token": ""}, "set JIRA_API_TOKEN"),
        ({"url": "ftp://example.com"}, "not an http(s) URL"),
        ({"url": "http://127.0.0.1:9"}, "cannot reach Jira at http://127.0.0.1:9"),
    ],
)
def test_connection_problems_end_in_one_line_naming_the_fix(sandbox, settings, message):
    values = {"url": sandbox.url, "email": EMAIL, "api_token": TOKEN, **settings}
    with pytest.raises(JiraAccessError) as caught:
        JiraReader(JiraSettings(**values))
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert TOKEN not in text and "wrong" not in text.replace("went wrong", "")
    # no chained library error (whose text embeds the request headers) travels with it
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_refused_jql_names_jiras_reason_and_the_setting(sandbox):
    with pytest.raises(JiraAccessError) as caught:
        list(reader(sandbox).scan('project = "NOPE"', ["id"]))
    text = str(caught.value)
    assert "HTTP 400" in text and "NOPE" in text and "check JIRA_JQL" in text


def test_data_center_scans_past_its_10000_result_window():
    org = generate_org(seed=9, scale=4.5)
    assert len(org.issues) > 10_000
    with SandboxServer(org, api_token=TOKEN, deployment="datacenter") as server:
        dc = JiraReader(JiraSettings(url=server.url, email="", api_token=TOKEN))
        assert dc.deployment_type == "datacenter"
        ids = list(dc.list_ids('created >= "2000/01/01"'))
        starts = [r.body["startAt"] for r in server.request_log if r.path.endswith("/search")]
        schemes = {
            v
            for r in server.request_log
            for k, v in r.headers.items()
            if k.lower() == "authorization"
        }
        assert schemes == {"Bearer"}
    assert sorted(ids) == sorted(issue["id"] for issue in org.issues)
    assert max(starts) < 10_000
