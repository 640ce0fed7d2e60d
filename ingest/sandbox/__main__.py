"""Run the Jira sandbox in the foreground.

``python -m ingest.sandbox [--port 0] [--seed 7] [--scale 1] [--deployment cloud|datacenter]
[--latency 0.05]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import tempfile
import threading
from pathlib import Path

from ingest.sandbox.generator import DEMO_EMAIL, generate_org
from ingest.sandbox.server import DEMO_API_TOKEN, SandboxServer


def _write_atomically(path: Path, text: str) -> None:
    """Readers see either no file or the whole of it, never a partial write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        handle.write(text)
    os.replace(handle.name, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.sandbox",
        description="Serve a seeded Jira sandbox (Cloud or Data Center) until stopped.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="head count multiplier: 40 gives ~100k issues"
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.datetime.now(dt.UTC).date(),
        help="the org's last day of activity (default today, so the demo reads like a live site)",
    )
    parser.add_argument("--deployment", choices=("cloud", "datacenter"), default="cloud")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--port-file", type=Path, help="write the base URL here once the server accepts connections"
    )
    args = parser.parse_args(argv)

    email = os.environ.get("JIRA_EMAIL") or DEMO_EMAIL
    token_from_env = os.environ.get("JIRA_API_TOKEN")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with SandboxServer(
        generate_org(args.seed, as_of=args.as_of, scale=args.scale),
        host=args.host,
        port=args.port,
        email=email,
        api_token=token_from_env or DEMO_API_TOKEN,
        deployment=args.deployment,
        latency=args.latency,
    ) as server:
        # A token from the environment is a secret; only the built-in demo token is shown.
        token_shown = "from JIRA_API_TOKEN" if token_from_env else DEMO_API_TOKEN
        flavour = "" if args.deployment == "cloud" else " (Data Center)"
        print(
            f"Jira sandbox{flavour} at {server.url} (user {email}, token {token_shown})",
            flush=True,
        )
        if args.port_file:
            _write_atomically(args.port_file, server.url)
        while not stop.wait(0.5):  # a short timeout keeps the main thread responsive to signals
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
