"""The Jira reader against the local sandbox: scope, paging, complete changelogs, clear errors."""

from __future__ import annotations

import pytest

from ingest.jira_client import JiraAccessError, JiraReader, JiraSettings, quote_jql, scope_jql
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
    assert scope_jql(("PAY", "A\\B"), "") == (
        'project in ("PAY", "A\\\\B") ORDER BY updated ASC, key ASC'
    )
    assert scope_jql((), "labels = x OR labels = y") == (
        "(labels = x OR labels = y) ORDER BY updated ASC, key ASC"
    )
    with pytest.raises(JiraAccessError, match="JIRA_PROJECTS"):
        scope_jql((), " ")


def test_without_a_configured_scope_every_browsable_project_is_in_scope(sandbox, org):
    jql = reader(sandbox).scope()
    keys = sorted({issue["fields"]["project"]["key"] for issue in org.issues})
    assert jql == scope_jql(tuple(keys), "")


def test_pages_cover_the_scope_once_with_complete_changelogs(sandbox, org):
    sandbox.request_log.clear()
    pages = list(reader(sandbox).issue_pages(scope_jql(("PAY", "STRAT"), ""), ["*all"]))
    issues = [issue for page in pages for issue in page]
    in_scope = [i for i in org.issues if i["fields"]["project"]["key"] in ("PAY", "STRAT")]
    assert sorted(i["id"] for i in issues) == sorted(i["id"] for i in in_scope)
    assert len(pages) > 1
    for issue in issues:
        histories = issue["changelog"]["histories"]
        assert [h["id"] for h in histories] == [h["id"] for h in org.changelogs[issue["id"]]]
    noisy = [i for i in issues if i["key"] in org.truth.noisy_issue_keys]
    assert noisy, "the sandbox plants issues with truncated embedded changelogs"
    paged = {r.path for r in sandbox.request_log if r.path.endswith("/changelog")}
    assert paged == {f"/rest/api/2/issue/{i['id']}/changelog" for i in noisy}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"api_token": "wrong"}, "rejected the credentials"),
        ({"email": ""}, "set JIRA_EMAIL"),
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
        list(reader(sandbox).issue_pages('project = "NOPE" ORDER BY key', ["id"]))
    text = str(caught.value)
    assert "HTTP 400" in text and "NOPE" in text and "check JIRA_JQL" in text
