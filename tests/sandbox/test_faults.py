"""Fault injection and latency, as a plain `requests` client experiences them."""

from __future__ import annotations

import datetime as dt
import re
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

import pytest
import requests

from ingest.sandbox import RATE_LIMIT_BURST, RATE_LIMIT_GLOBAL, Fault

MYSELF = "/rest/api/3/myself"


def _get(server, path: str = MYSELF) -> requests.Response:
    # A fresh connection per request: a reset must not spoil a pooled one for the next.
    return requests.get(f"{server.url}{path}", auth=(server.email, server.api_token), timeout=10)


def test_rate_limited_with_retry_after_seconds_and_jira_headers(private_sandbox):
    reset_at = dt.datetime(2026, 10, 30, 16, 0, 3, tzinfo=dt.UTC)
    server = private_sandbox()
    server.inject(Fault.rate_limited("myself$", retry_after=3, reset=reset_at))
    limited, after = _get(server), _get(server)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert limited.headers["RateLimit-Reason"] == RATE_LIMIT_GLOBAL
    assert limited.headers["X-RateLimit-Reset"] == "2026-10-30T16:00:03Z"
    assert limited.json()["errorMessages"]
    assert after.status_code == 200  # times=1 by default
    assert [r.status for r in server.request_log] == [429, 200]


def test_rate_limited_with_an_http_date_and_no_reason(private_sandbox):
    until = dt.datetime(2026, 10, 30, 16, 0, 5, tzinfo=dt.UTC)
    server = private_sandbox()
    server.inject(Fault.rate_limited("myself", retry_after=until, reason=None))
    limited = _get(server)
    assert limited.status_code == 429
    assert parsedate_to_datetime(limited.headers["Retry-After"]) == until
    assert limited.headers["Retry-After"].endswith("GMT")
    assert "RateLimit-Reason" not in limited.headers and "X-RateLimit-Reset" not in limited.headers


@pytest.mark.parametrize(
    ("fault", "content_type", "retry_after"),
    [
        (Fault("myself", status=503, retry_after=7), "application/json", "7"),
        (Fault("myself", status=500), "application/json", None),
        (Fault("myself", status=502), "text/html", None),
        (Fault("myself", status=504, retry_after=1), "text/html", "1"),
        (Fault.rate_limited("myself", reason=RATE_LIMIT_BURST), "application/json", "3"),
    ],
)
def test_error_statuses(private_sandbox, fault, content_type, retry_after):
    server = private_sandbox(faults=[fault])
    response = _get(server)
    assert response.status_code == fault.status
    assert response.headers["Content-Type"].startswith(content_type)
    assert response.headers.get("Retry-After") == retry_after
    assert _get(server).status_code == 200


def test_slow_answers_after_the_delay(private_sandbox):
    server = private_sandbox(faults=[Fault("myself", kind="slow", delay=0.3)])
    started = time.monotonic()
    assert _get(server).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_reset_closes_the_connection_without_an_answer(private_sandbox):
    server = private_sandbox(faults=[Fault("search/jql", kind="reset", times=1)])
    with pytest.raises(requests.ConnectionError):
        _get(server, "/rest/api/3/search/jql?jql=project%3DPAY")
    assert _get(server, "/rest/api/3/search/jql?jql=project%3DPAY").status_code == 200
    assert [r.status for r in server.request_log] == [0, 200]


def test_after_and_times_count_matching_requests_only(private_sandbox):
    server = private_sandbox()
    server.inject(Fault("myself", status=503, after=2, times=2))
    statuses = []
    for _ in range(5):
        statuses.append(_get(server).status_code)
        assert _get(server, "/rest/api/3/serverInfo").status_code == 200  # no match, no count
    assert statuses == [200, 200, 503, 503, 200]


def test_times_none_is_forever_and_method_narrows(private_sandbox):
    server = private_sandbox()
    server.inject(Fault("search/jql", status=500, times=None, method="POST"))
    url = f"{server.url}/rest/api/3/search/jql"
    auth = (server.email, server.api_token)
    for _ in range(3):
        assert requests.post(url, json={"jql": "project = PAY"}, auth=auth).status_code == 500
    assert requests.get(url, params={"jql": "project = PAY"}, auth=auth).status_code == 200
    server.clear_faults()
    assert requests.post(url, json={"jql": "project = PAY"}, auth=auth).status_code == 200


def test_the_first_matching_fault_wins_and_every_fault_counts(private_sandbox):
    server = private_sandbox(
        faults=[Fault("myself", status=429, times=1), Fault("myself", status=503, times=2)]
    )
    assert [_get(server).status_code for _ in range(3)] == [429, 503, 200]


def test_latency_overlaps_between_concurrent_clients(private_sandbox):
    server = private_sandbox(latency=0.25)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _get(server).status_code, range(8)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert 0.25 <= elapsed < 0.25 * 3  # served side by side, not one after another


def test_a_hook_runs_once_before_the_request_after_n(private_sandbox, org):
    server = private_sandbox()
    runs = []
    server.on_request(
        r"/issue/PAY-1$",
        after=1,
        action=lambda: runs.append(server.update_issue("PAY-1", summary="Changed mid-scan")),
    )
    summaries = [_get(server, "/rest/api/3/issue/PAY-1").json()["fields"]["summary"] for _ in "abc"]
    original = next(i["fields"]["summary"] for i in org.issues if i["key"] == "PAY-1")
    assert summaries == [original, "Changed mid-scan", "Changed mid-scan"]
    assert len(runs) == 1


def test_invalid_faults_fail_early():
    with pytest.raises(ValueError):
        Fault("myself", kind="explode")
    with pytest.raises(re.error):
        Fault("myself[")
