"""Extraction throughput: our extractor vs a plain sequential `jira.search_issues` loop.

Both read the same sandbox (a separate process, ~100k issues, 50 ms simulated latency per request)
one after the other in this run, each in its own process so that peak RSS is the client's alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Measurement

LATENCY_SECONDS = 0.05
EMAIL = "bench@example.com"


def _start_sandbox(scale: float, token: str) -> tuple[subprocess.Popen, str]:
    url_file = Path(tempfile.mkdtemp()) / "url"
    env = {**os.environ, "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": token}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ingest.sandbox",
            "--port",
            "0",
            "--port-file",
            str(url_file),
            "--scale",
            str(scale),
            "--latency",
            str(LATENCY_SECONDS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while not url_file.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the benchmark sandbox did not start")
        time.sleep(0.2)
    return server, url_file.read_text().strip()


def _child(variant: str, url: str, token: str) -> dict:
    """Run one variant in a fresh interpreter; it prints its figures as JSON."""
    env = {**os.environ, "JIRA_URL": url, "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": token}
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_extract", variant],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _ours() -> dict:
    from ingest.extract import extract_to_landing
    from ingest.http_policy import RetryPolicy
    from ingest.jira_client import JiraReader, JiraSettings

    # The client-side rate cap (20 requests/s by default) is a politeness setting for real sites;
    # off here, so the figure is the client's own throughput.
    settings = JiraSettings(
        url=os.environ["JIRA_URL"],
        email=EMAIL,
        api_token=os.environ["JIRA_API_TOKEN"],
        retry=RetryPolicy(max_requests_per_second=None),
    )
    with tempfile.TemporaryDirectory() as landing:
        started = time.perf_counter()
        result = extract_to_landing(JiraReader(settings), Path(landing), "bench")
        seconds = time.perf_counter() - started
    return {
        "issues": result.row_counts["issues"],
        "seconds": seconds,
        "requests": result.requests["requests"],
    }


def _plain_loop() -> dict:
    from jira import JIRA

    client = JIRA(server=os.environ["JIRA_URL"], basic_auth=(EMAIL, os.environ["JIRA_API_TOKEN"]))
    keys = sorted(project.key for project in client.projects())
    jql = f"project in ({', '.join(keys)}) ORDER BY key"
    started = time.perf_counter()
    issues = client.search_issues(jql, maxResults=False, fields="*all", expand="changelog")
    return {"issues": len(issues), "seconds": time.perf_counter() - started, "requests": None}


def run(quick: bool) -> list[Measurement]:
    token = os.urandom(12).hex()
    server, url = _start_sandbox(2.0 if quick else 40.0, token)
    try:
        ours, plain = _child("ours", url, token), _child("plain", url, token)
    finally:
        server.terminate()
        server.wait()
    ours_rate = ours["issues"] / ours["seconds"]
    plain_rate = plain["issues"] / plain["seconds"]
    size = f"{ours['issues']:,} issues, {LATENCY_SECONDS * 1000:.0f} ms latency"
    return [
        Measurement("extract", "ours (issues/s)", ours_rate, "issues/s", f"{size}, no rate cap"),
        Measurement("extract", "plain search_issues loop", plain_rate, "issues/s", size),
        Measurement("extract", "ratio ours / plain", ours_rate / plain_rate, "x", "target >= 5"),
        Measurement("extract", "ours peak RSS", ours["peak_rss_mb"], "MiB", "target < 1024"),
        Measurement("extract", "plain peak RSS", plain["peak_rss_mb"], "MiB", "holds every issue"),
    ]


if __name__ == "__main__":
    figures = {"ours": _ours, "plain": _plain_loop}[sys.argv[1]]()
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))
