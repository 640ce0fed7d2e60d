"""Our own retry and rate policy for every HTTP request to Jira.

The `jira` library's built-in retry waits `min(60, 2 * Retry-After)` times a random 0.5-1.0 (so it
can retry before Jira allows), never retries 500/502/504 and cannot pause other workers. We turn it
off (`max_retries=0`) and mount this transport adapter on its session instead:
- 429 and 503 wait at least `Retry-After` (seconds or an HTTP date), else exponential backoff with
  jitter; 500/502/504, timeouts and dropped connections are retried a bounded number of times;
- a 429 whose `RateLimit-Reason` is a quota kind pauses every worker until `X-RateLimit-Reset`;
- 400/401/403/404 and anything else come back at once for the caller to explain;
- a shared token bucket caps the request rate across all workers.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import requests
from requests.adapters import HTTPAdapter

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses whose Retry-After Jira means as a floor; on others backoff alone decides.
RETRY_AFTER_STATUSES = frozenset({429, 503})


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def wall(self) -> datetime: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 120.0
    # requests per second across all workers; None for no cap
    max_requests_per_second: float | None = 20.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _parse_reset(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        reset = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return reset if reset.tzinfo else reset.replace(tzinfo=UTC)


def is_quota_reason(reason: str | None) -> bool:
    """Quota limits (unlike burst limits) hold for every request of the tenant, not just one."""
    return bool(reason) and "quota" in reason.lower()


@dataclass
class RequestStats:
    requests: int = 0
    retries: int = 0
    quota_pauses: int = 0
    waited_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **increments: float) -> None:
        with self._lock:
            for name, amount in increments.items():
                setattr(self, name, getattr(self, name) + amount)

    def as_dict(self) -> dict[str, float]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "quota_pauses": self.quota_pauses,
            "waited_seconds": round(self.waited_seconds, 3),
        }


class RateGate:
    """A token bucket shared by all workers, plus a tenant-wide pause for quota limits."""

    def __init__(self, clock: Clock, max_per_second: float | None):
        self._clock = clock
        self._interval = 1.0 / max_per_second if max_per_second else 0.0
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def pause_until(self, monotonic_deadline: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, monotonic_deadline)

    def wait_turn(self) -> float:
        """Block until this request may go; returns the seconds waited.

        A pause can begin while a worker sleeps towards its slot, so it checks again on waking.
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock.monotonic()
                if waited and now >= self._paused_until:
                    return waited
                slot = max(now, self._next_slot, self._paused_until)
                self._next_slot = slot + self._interval
            if slot == now and not waited:
                return 0.0
            self._clock.sleep(slot - now)
            waited += slot - now


class PolicyAdapter(HTTPAdapter):
    """A requests transport adapter that applies the retry policy and the rate gate."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        clock: Clock | None = None,
        gate: RateGate | None = None,
        stats: RequestStats | None = None,
        rng: random.Random | None = None,
        pool_size: int = 10,
    ):
        super().__init__(pool_connections=pool_size, pool_maxsize=pool_size)
        self.policy = policy
        self.clock = clock or SystemClock()
        self.gate = gate or RateGate(self.clock, policy.max_requests_per_second)
        self.stats = stats or RequestStats()
        self._rng = rng or random.Random()
        # Off while first connecting: an unreachable site then is a wrong URL, not a blip.
        self.retry_unreachable = True

    def _backoff(self, attempt: int) -> float:
        """Full jitter on an exponential ceiling: spreads retrying workers apart."""
        ceiling = min(self.policy.max_delay_seconds, self.policy.base_delay_seconds * 2**attempt)
        return self._rng.uniform(ceiling / 2, ceiling)

    def _delay_for(self, response: requests.Response, attempt: int) -> float:
        """Seconds before the next attempt; a Retry-After or quota reset is a floor, never cut."""
        delay = self._backoff(attempt)
        if response.status_code in RETRY_AFTER_STATUSES:
            floor = parse_retry_after(response.headers.get("Retry-After"), self.clock.wall())
            if floor is not None:
                # jitter only adds, so retrying workers spread out without going early
                delay = floor + self._rng.uniform(0, 0.1 + floor * 0.1)
        if response.status_code == 429 and is_quota_reason(
            response.headers.get("RateLimit-Reason")
        ):
            reset = _parse_reset(response.headers.get("X-RateLimit-Reset"))
            if reset is not None:
                delay = max(delay, (reset - self.clock.wall()).total_seconds())
            self.gate.pause_until(self.clock.monotonic() + delay)
            self.stats.add(quota_pauses=1)
        return max(0.0, delay)

    def send(self, request, **kwargs):  # noqa: ANN001 - the requests adapter signature
        attempt = 0
        while True:
            waited = self.gate.wait_turn()
            self.stats.add(requests=1, waited_seconds=waited)
            attempt += 1
            last_attempt = attempt >= self.policy.max_attempts
            try:
                response = super().send(request, **kwargs)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
                if last_attempt or not self.retry_unreachable:
                    raise
                delay = self._backoff(attempt)
            else:
                if response.status_code not in RETRY_STATUSES or last_attempt:
                    return response
                delay = self._delay_for(response, attempt)
                response.close()
            self.stats.add(retries=1, waited_seconds=delay)
            self.clock.sleep(delay)
