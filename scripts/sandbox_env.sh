# Sourced by demo.sh and dev.sh: start the local Jira sandbox on a free loopback port and point the
# pipeline's JIRA_* variables at it. The token is random per start and lives only in the environment.
: "${PORTFOLIO_DATA_DIR:=$PWD/data}"
: "${DAGSTER_HOME:=$PWD/.dagster_home}"
export PORTFOLIO_DATA_DIR DAGSTER_HOME
mkdir -p "$PORTFOLIO_DATA_DIR" "$DAGSTER_HOME"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || printf 'telemetry:\n  enabled: false\n' > "$DAGSTER_HOME/dagster.yaml"

export JIRA_EMAIL=demo@example.com
JIRA_API_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')
export JIRA_API_TOKEN

sandbox_url_file=$(mktemp)
rm -f "$sandbox_url_file"
.venv/bin/python -m ingest.sandbox --port 0 --port-file "$sandbox_url_file" \
  > "$PORTFOLIO_DATA_DIR/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null; rm -f "$sandbox_url_file"' EXIT

for _ in $(seq 1 300); do
  [ -s "$sandbox_url_file" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$PORTFOLIO_DATA_DIR/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$sandbox_url_file" ] || { echo "the Jira sandbox did not start; see $PORTFOLIO_DATA_DIR/sandbox.log" >&2; exit 1; }
JIRA_URL=$(cat "$sandbox_url_file")
export JIRA_URL
echo "Jira sandbox running at $JIRA_URL"
