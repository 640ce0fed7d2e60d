"""The retry and rate policy, driven by scripted responses and a virtual clock."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from requests.adapters import HTTPAdapter

from ingest.http_policy import PolicyAdapter, RateGate, RetryPolicy, parse_retry_after


def scripted(monkeypatch, clock, responses):
    """Make the transport answer from `responses` (status, headers) or raise; log send times."""
    sent = []

    def send(self, request, **kwargs):
        sent.append(clock.monotonic())
        status, headers = responses.pop(0)
        if isinstance(status, Exception):
            raise status
        response = requests.Response()
        response.status_code, response.url = status, request.url
        response.headers.update(headers)
        response._content = b"{}"
        response.raw = io.BytesIO(b"{}")
        return response

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return sent


def session(adapter: PolicyAdapter) -> requests.Session:
    http = requests.Session()
    http.mount("http://", adapter)
    return http


def adapter(clock, **policy) -> PolicyAdapter:
    return PolicyAdapter(RetryPolicy(max_requests_per_second=None, **policy), clock=clock)


def test_a_429_storm_never_retries_before_retry_after(monkeypatch, clock):
    sent = scripted(monkeypatch, clock, [(429, {"Retry-After": "3"})] * 5 + [(200, {})])
    policy = adapter(clock)
    assert session(policy).get("http://jira.test/rest/api/3/search/jql").status_code == 200
    assert len(sent) == 6
    assert all(later - earlier >= 3 for earlier, later in zip(sent, sent[1:], strict=False))
    assert policy.stats.retries == 5 and policy.stats.requests == 6


def test_retry_after_as_an_http_date_is_a_floor(monkeypatch, clock):
    when = format_datetime(clock.start + timedelta(seconds=7), usegmt=True)
    sent = scripted(monkeypatch, clock, [(503, {"Retry-After": when}), (200, {})])
    session(adapter(clock)).get("http://jira.test/x")
    assert sent[1] - sent[0] >= 7


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_are_retried_a_bounded_number_of_times(monkeypatch, status, clock):
    sent = scripted(monkeypatch, clock, [(status, {})] * 4)
    response = session(adapter(clock, max_attempts=4)).get("http://jira.test/x")
    assert response.status_code == status
    assert len(sent) == 4
    # exponential backoff: each wait at least half of a doubling ceiling
    waits = [later - earlier for earlier, later in zip(sent, sent[1:], strict=False)]
    assert waits[0] >= 1 and waits[1] >= 2 and waits[2] >= 4


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(monkeypatch, status, clock):
    sent = scripted(monkeypatch, clock, [(status, {})])
    assert session(adapter(clock)).get("http://jira.test/x").status_code == status
    assert len(sent) == 1 and clock.now == 0


def test_dropped_connections_are_retried_then_raised(monkeypatch, clock):
    drop = requests.exceptions.ConnectionError("reset by peer")
    sent = scripted(monkeypatch, clock, [(drop, {}), (200, {})])
    assert session(adapter(clock)).get("http://jira.test/x").status_code == 200
    sent = scripted(monkeypatch, clock, [(drop, {})] * 3)
    with pytest.raises(requests.exceptions.ConnectionError):
        session(adapter(clock, max_attempts=3)).get("http://jira.test/x")
    assert len(sent) == 3


def test_an_unreachable_site_fails_at_once_while_first_connecting(monkeypatch, clock):
    sent = scripted(monkeypatch, clock, [(requests.exceptions.ConnectionError("refused"), {})])
    policy = adapter(clock)
    policy.retry_unreachable = False
    with pytest.raises(requests.exceptions.ConnectionError):
        session(policy).get("http://jira.test/x")
    assert len(sent) == 1 and clock.now == 0


def test_a_quota_429_pauses_every_worker_until_the_reset(monkeypatch, clock):
    reset = (clock.start + timedelta(seconds=30)).isoformat()
    headers = {"RateLimit-Reason": "jira-quota-tenant-based", "X-RateLimit-Reset": reset}
    scripted(monkeypatch, clock, [(429, headers), (200, {})])
    policy = adapter(clock)
    session(policy).get("http://jira.test/x")
    assert clock.now >= 30
    assert policy.stats.quota_pauses == 1
    # another worker asking for its turn mid-pause must wait for the reset too
    gate = RateGate(clock, None)
    gate.pause_until(clock.monotonic() + 12)
    assert gate.wait_turn() == pytest.approx(12)


def test_a_burst_429_without_quota_reason_does_not_pause_others(monkeypatch, clock):
    scripted(
        monkeypatch,
        clock,
        [(429, {"Retry-After": "2", "RateLimit-Reason": "jira-burst-based"}), (200, {})],
    )
    policy = adapter(clock)
    session(policy).get("http://jira.test/x")
    assert policy.stats.quota_pauses == 0
    assert policy.gate.wait_turn() == 0


def test_the_rate_cap_spaces_requests_across_workers(clock):
    gate = RateGate(clock, max_per_second=5)
    waits = [gate.wait_turn() for _ in range(10)]
    assert clock.now == pytest.approx(9 / 5)
    assert waits[0] == 0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("garbage", None),
        (None, None),
        ("Mon, 02 Nov 2026 09:01:30 GMT", 90.0),
    ],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header, datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) == seconds
