#!/usr/bin/env bash
# `make dev`: the Dagster UI on http://127.0.0.1:3000 with the local Jira sandbox behind it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sandbox_env.sh
# dagster-dbt parses the dbt project on load under `dagster dev`, finding dbt on PATH
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/dagster dev -m orchestration.definitions --host 127.0.0.1 --port "${DAGSTER_PORT:-3000}"
