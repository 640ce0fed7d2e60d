"""`python -m ingest.sandbox`: one line on stdout, the URL in the port file, a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


def _start(port_file: Path, *options: str, **env_overrides: str) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JIRA_EMAIL", "JIRA_API_TOKEN")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ingest.sandbox",
            "--port",
            "0",
            "--seed",
            "7",
            "--port-file",
            str(port_file),
            *options,
        ],
        cwd=REPO_ROOT,
        env={**env, **env_overrides},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the sandbox did not write its port file"
        time.sleep(0.05)
    return process, port_file.read_text()


def _stop(process: subprocess.Popen, signum: int) -> str:
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    return stdout


def test_serves_with_the_demo_credentials_until_sigterm(tmp_path):
    port_file = tmp_path / "run" / "sandbox.url"
    process, url = _start(port_file)
    try:
        response = requests.get(
            f"{url}/rest/api/3/serverInfo", auth=("demo@example.com", "sandbox-token"), timeout=5
        )
        assert response.status_code == 200
        assert response.json()["baseUrl"] == url
    finally:
        stdout = _stop(process, signal.SIGTERM)
    assert stdout.splitlines() == [
        f"Jira sandbox at {url} (user demo@example.com, token sandbox-token)"
    ]
    assert os.listdir(port_file.parent) == ["sandbox.url"]  # the temporary file was renamed


def test_credentials_from_the_environment_are_used_but_never_printed(tmp_path):
    process, url = _start(
        tmp_path / "sandbox.url", JIRA_EMAIL="ops@example.com", JIRA_API_TOKEN="s3cret-from-env"
    )
    try:
        myself = f"{url}/rest/api/3/myself"
        response = requests.get(myself, auth=("ops@example.com", "s3cret-from-env"), timeout=5)
        assert response.json()["emailAddress"] == "ops@example.com"
        demo = requests.get(myself, auth=("demo@example.com", "sandbox-token"), timeout=5)
        assert demo.status_code == 401
    finally:
        stdout = _stop(process, signal.SIGINT)
    assert stdout.startswith(f"Jira sandbox at {url} (user ops@example.com, token ")
    assert "s3cret-from-env" not in stdout


def test_serves_data_center_at_a_scale_with_latency(tmp_path):
    process, url = _start(
        tmp_path / "sandbox.url",
        "--deployment",
        "datacenter",
        "--scale",
        "0.25",
        "--latency",
        "0.2",
    )
    try:
        started = time.monotonic()
        response = requests.get(
            f"{url}/rest/api/2/search",
            params={"jql": "", "maxResults": 0},
            headers={"Authorization": "Bearer sandbox-token"},
            timeout=5,
        )
        assert time.monotonic() - started >= 0.2
        assert response.status_code == 200
        assert 500 < response.json()["total"] < 1500  # a quarter of the default organisation
    finally:
        stdout = _stop(process, signal.SIGTERM)
    assert stdout.startswith(f"Jira sandbox (Data Center) at {url} ")
