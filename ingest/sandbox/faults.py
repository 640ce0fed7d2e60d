"""Deterministic fault injection: requests fail the way Jira Cloud, Data Center and their edges do.

A `Fault` says which requests it hits (a regex searched in the path, optionally a method), how
(an error status with its headers, a delay, or a connection reset) and when: it lets the first
``after`` matching requests pass, then hits the next ``times`` of them (None: all that follow).
Hooks run an action once, just before the server handles the (``after`` + 1)-th matching request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping
from email.utils import format_datetime
from typing import Literal

RATE_LIMIT_GLOBAL = "jira-quota-global-based"
RATE_LIMIT_TENANT = "jira-quota-tenant-based"
RATE_LIMIT_BURST = "jira-burst-based"
RATE_LIMIT_PER_ISSUE = "jira-per-issue-on-write"


@dataclasses.dataclass(frozen=True)
class Fault:
    """What happens to matching requests; ``kind`` "status" answers ``status`` with headers,
    "slow" answers normally after ``delay`` seconds, "reset" closes the connection unanswered.

    ``retry_after`` becomes Retry-After: seconds, or an HTTP-date when given a datetime;
    ``rate_limit_reason`` RateLimit-Reason; ``rate_limit_reset`` X-RateLimit-Reset (ISO 8601).
    """

    path: str
    kind: Literal["status", "slow", "reset"] = "status"
    status: int = 503
    retry_after: int | dt.datetime | None = None
    rate_limit_reason: str | None = None
    rate_limit_reset: dt.datetime | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0
    times: int | None = 1
    after: int = 0
    method: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("status", "slow", "reset"):
            raise ValueError(f"unknown fault kind {self.kind!r}")
        re.compile(self.path)  # fail at construction, not at the first request

    @classmethod
    def rate_limited(
        cls,
        path: str,
        *,
        retry_after: int | dt.datetime | None = 3,
        reason: str | None = RATE_LIMIT_GLOBAL,
        reset: dt.datetime | None = None,
        **options,
    ) -> Fault:
        """A 429 as Jira Cloud sends it when a rate limit is hit."""
        return cls(
            path,
            status=429,
            retry_after=retry_after,
            rate_limit_reason=reason,
            rate_limit_reset=reset,
            **options,
        )

    def response_headers(self) -> dict[str, str]:
        headers = {}
        if isinstance(self.retry_after, dt.datetime):
            headers["Retry-After"] = format_datetime(
                self.retry_after.astimezone(dt.UTC), usegmt=True
            )
        elif self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        if self.rate_limit_reason is not None:
            headers["RateLimit-Reason"] = self.rate_limit_reason
        if self.rate_limit_reset is not None:
            reset = self.rate_limit_reset.astimezone(dt.UTC).isoformat(timespec="seconds")
            headers["X-RateLimit-Reset"] = reset.replace("+00:00", "Z")
        return {**headers, **self.headers}


@dataclasses.dataclass(eq=False)
class _Matcher:
    """Counts the requests that match ``path`` (and ``method``)."""

    path: re.Pattern
    method: str | None
    seen: int = 0

    def count(self, method: str, path: str) -> int | None:
        """The number of this matching request (from 1), or None if it does not match."""
        if (self.method is None or self.method == method) and self.path.search(path):
            self.seen += 1
            return self.seen
        return None


class FaultPlan:
    """The faults and hooks of one server; thread-safe."""

    def __init__(self, faults: tuple[Fault, ...] | list[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._faults: list[tuple[Fault, _Matcher]] = []
        self._hooks: list[tuple[int, Callable[[], object], _Matcher]] = []
        for fault in faults:
            self.add(fault)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append((fault, _Matcher(re.compile(fault.path), fault.method)))

    def add_hook(
        self, path: str, after: int, action: Callable[[], object], method: str | None
    ) -> None:
        with self._lock:
            self._hooks.append((after, action, _Matcher(re.compile(path), method)))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._hooks.clear()

    def fault_for(self, method: str, path: str) -> Fault | None:
        """The first fault that hits this request; every matching fault counts it."""
        hit = None
        with self._lock:
            for fault, matcher in self._faults:
                number = matcher.count(method, path)
                active = number is not None and number > fault.after
                if active and (fault.times is None or number <= fault.after + fault.times):
                    hit = hit or fault
        return hit

    def due_hooks(self, method: str, path: str) -> list[Callable[[], object]]:
        """The actions to run before handling this request; each is handed out once."""
        due = []
        with self._lock:
            for hook in list(self._hooks):
                after, action, matcher = hook
                if matcher.count(method, path) == after + 1:
                    due.append(action)
                    self._hooks.remove(hook)
        return due
