#!/usr/bin/env bash
# `make demo`: the whole pipeline once, against the local Jira sandbox, into ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sandbox_env.sh

.venv/bin/portfolio run

published="$PORTFOLIO_DATA_DIR/published/portfolio.duckdb"
cat <<TXT

Landing zone (raw Jira batches): $PORTFOLIO_DATA_DIR/landing/batches
Build warehouse (dbt's):          $PORTFOLIO_DATA_DIR/build/portfolio_build.duckdb
Published warehouse (read this):  $published

Each team's tier mix and risk posture, latest quarters first:
TXT
.venv/bin/python - "$published" <<'PY'
import sys, duckdb
with duckdb.connect(sys.argv[1], read_only=True) as con:
    con.sql("""
        select team, quarter_label, round(sure_thing_share, 2) as sure, round(linear_bet_share, 2) as linear,
               round(moonshot_share, 2) as moonshot, round(mix_drift, 2) as drift,
               round(risk_appetite_index, 2) as appetite, round(target_index, 2) as target,
               posture, chronic_posture as chronic, has_guardrail_breach as breach
        from marts.fct_team_quarter
        order by quarter_start desc, team
        limit 18
    """).show(max_width=200)
PY
