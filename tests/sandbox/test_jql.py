"""The JQL subset: each clause filters as Jira does; everything else is a 400 in Jira's words."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ingest.sandbox.jql import UNBOUNDED_MESSAGE

USER_ZONE = ZoneInfo("Europe/Berlin")  # the /myself user's zone: JQL reads zone-less times in it


@pytest.fixture(scope="module")
def issues(org) -> list[dict]:
    """Per issue what the expected results are computed from."""

    def instant(text: str) -> dt.datetime:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")

    return [
        {
            "key": i["key"],
            "id": int(i["id"]),
            "project": i["fields"]["project"]["key"],
            "type": i["fields"]["issuetype"]["name"],
            "created": instant(i["fields"]["created"]),
            "updated": instant(i["fields"]["updated"]),
        }
        for i in org.issues
    ]


@pytest.fixture(scope="module")
def keys_for(search_pages):
    def run(jql: str) -> list[str]:
        pages = search_pages(jql, fields="key", maxResults=100)
        return [issue["key"] for page in pages for issue in page["issues"]]

    return run


@pytest.mark.parametrize(
    ("jql", "predicate"),
    [
        ("project = PAY", lambda i: i["project"] == "PAY"),
        ("project = payments", lambda i: i["project"] == "PAY"),
        ('project in (SRCH, "DATA")', lambda i: i["project"] in ("SRCH", "DATA")),
        ("key = PAY-12", lambda i: i["key"] == "PAY-12"),
        (
            "issuekey in (PAY-3, mob-4, STRAT-1)",
            lambda i: i["key"] in ("PAY-3", "MOB-4", "STRAT-1"),
        ),
        ("id = 10005", lambda i: i["id"] == 10005),
        ("issuetype = Bug", lambda i: i["type"] == "Bug"),
        (
            'type in (Epic, "Sub-task", initiative)',
            lambda i: i["type"] in ("Epic", "Sub-task", "Initiative"),
        ),
        (
            "(project = PLAT) AND (issuetype = Spike)",
            lambda i: i["project"] == "PLAT" and i["type"] == "Spike",
        ),
        (
            "project in (MOB, DATA) and ((type = Story and project = MOB))",
            lambda i: i["project"] == "MOB" and i["type"] == "Story",
        ),
    ],
)
def test_each_clause_filters(keys_for, issues, jql, predicate):
    expected = {i["key"] for i in issues if predicate(i)}
    assert expected
    assert set(keys_for(jql)) == expected


_OPERATORS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


@pytest.mark.parametrize("field", ["updated", "created"])
@pytest.mark.parametrize("operator", list(_OPERATORS))
def test_date_comparisons_read_zone_less_times_in_the_users_zone(keys_for, issues, field, operator):
    compare = _OPERATORS[operator]
    issues = [i for i in issues if i["project"] == "PAY"]
    times = sorted(i[field] for i in issues)
    for cutoff in (times[len(times) // 3], times[2 * len(times) // 3]):
        local = cutoff.astimezone(USER_ZONE)
        minute = local.replace(second=0, microsecond=0)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        epoch_ms = round(cutoff.timestamp() * 1000)
        for literal, bound in (
            (f'"{minute:%Y-%m-%d %H:%M}"', minute),
            (f"'{minute:%Y/%m/%d %H:%M}'", minute),
            (f"{midnight:%Y-%m-%d}", midnight),
            (f'"{midnight:%Y/%m/%d}"', midnight),
            (str(epoch_ms), cutoff),
        ):
            jql = f"project = PAY AND {field} {operator} {literal}"
            expected = {i["key"] for i in issues if compare(i[field], bound)}
            assert set(keys_for(jql)) == expected, jql


def test_zone_less_minute_is_the_users_wall_clock(keys_for, issues):
    issue = max(issues, key=lambda i: i["updated"])
    local = issue["updated"].astimezone(USER_ZONE)
    at_minute = f'"{local:%Y-%m-%d %H:%M}"'
    assert issue["key"] in keys_for(f"project = {issue['project']} AND updated >= {at_minute}")
    one_hour_later = f'"{local + dt.timedelta(hours=1):%Y-%m-%d %H:%M}"'
    assert issue["key"] not in keys_for(
        f"project = {issue['project']} AND updated >= {one_hour_later}"
    )


def _by_key(issue: dict) -> tuple[str, int]:
    return issue["project"], int(issue["key"].split("-")[1])


@pytest.mark.parametrize(
    ("order_by", "sort_keys"),
    [
        ("", [(_by_key, False)]),
        ("ORDER BY updated DESC", [(lambda i: i["updated"], True)]),
        ("order by created asc, key desc", [(lambda i: i["created"], False), (_by_key, True)]),
        ("ORDER BY issuekey DESC", [(_by_key, True)]),
        ("ORDER BY id", [(lambda i: i["id"], False)]),
    ],
)
def test_order_by(keys_for, issues, order_by, sort_keys):
    expected = sorted((i for i in issues if i["project"] in ("PAY", "MOB")), key=lambda i: i["id"])
    for sort_key, descending in reversed(sort_keys):  # stable sorts, least significant first
        expected.sort(key=sort_key, reverse=descending)
    assert keys_for(f"project in (PAY, MOB) {order_by}") == [i["key"] for i in expected]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("", UNBOUNDED_MESSAGE),
        ("   ", UNBOUNDED_MESSAGE),
        ("ORDER BY key", UNBOUNDED_MESSAGE),
        ("order by updated desc", UNBOUNDED_MESSAGE),
        ("project = XYZ", "The value 'XYZ' does not exist for the field 'project'."),
        ("project in (PAY, Nope)", "The value 'Nope' does not exist for the field 'project'."),
        ("issuetype = Saga", "The value 'Saga' does not exist for the field 'issuetype'."),
        ("key = PAY-999999", "An issue with key 'PAY-999999' does not exist for field 'key'."),
        ("updated >= -1d", "Date value '-1d' for field 'updated' is invalid."),
        ("created < '2025-13-45'", "Date value '2025-13-45' for field 'created' is invalid."),
        # Minute precision: a value cannot name seconds.
        (
            "updated >= '2025/08/01 12:15:30'",
            "Date value '2025/08/01 12:15:30' for field 'updated' is invalid.",
        ),
        (
            "project = PAY OR project = MOB",
            "Error in the JQL Query: The JQL sandbox does not support 'OR'",
        ),
        ("NOT project = PAY", "Error in the JQL Query: The JQL sandbox does not support 'NOT'"),
        (
            "project = ",
            "Error in the JQL Query: Expecting either a value, list or function but "
            "got '<EOF>'. (line 1, character 11)",
        ),
        ("project PAY", "Error in the JQL Query: Expecting operator but got 'PAY'."),
        ("project = PAY AND", "Error in the JQL Query: Expecting a field name but got '<EOF>'."),
        ("(project = PAY", "Error in the JQL Query: Expecting ')' but got '<EOF>'."),
        ("project in PAY", "Error in the JQL Query: Expecting '(' but got 'PAY'."),
        (
            'project = "PAY',
            "Error in the JQL Query: The character '\"' is a reserved JQL "
            "character or an unterminated string. (line 1, character 11)",
        ),
        (
            "project = PAY extra",
            "Error in the JQL Query: Expecting either 'AND' or 'ORDER BY' but got 'extra'.",
        ),
        ('summary ~ "checkout"', "does not support the field 'summary'"),
        ("assignee = currentUser()", "does not support the field 'assignee'"),
        ("project = currentProject()", "does not support functions"),
        ("updated = '2025-01-01'", "does not support the operator '=' on 'updated'"),
        ("project != PAY", "does not support the operator '!=' on 'project'"),
        ("project not in (PAY)", "does not support the operator 'NOT'"),
        ("project = PAY ORDER BY priority", "does not support ordering by 'priority'"),
    ],
)
def test_invalid_jql_is_a_400_with_jiras_error_collection(sandbox, http, jql, message):
    response = http.get(f"{sandbox.url}/rest/api/3/search/jql", params={"jql": jql})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {}
    (error,) = body["errorMessages"]
    assert message in error


def test_post_without_jql_is_unbounded(sandbox, http):
    response = http.post(f"{sandbox.url}/rest/api/3/search/jql", json={"maxResults": 5})
    assert response.status_code == 400
    assert response.json()["errorMessages"] == [UNBOUNDED_MESSAGE]
