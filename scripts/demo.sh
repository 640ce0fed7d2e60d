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

A morning read of the portfolio (all of it is in the published warehouse's marts schema):
TXT
.venv/bin/python - "$published" <<'PY'
import sys, duckdb
with duckdb.connect(sys.argv[1], read_only=True) as con:
    print("Each team's tier mix and risk posture, latest quarters first:")
    con.sql("""
        select team, quarter_label, round(sure_thing_share, 2) as sure, round(linear_bet_share, 2) as linear,
               round(moonshot_share, 2) as moonshot, round(mix_drift, 2) as drift,
               round(risk_appetite_index, 2) as appetite, round(target_index, 2) as target,
               posture, chronic_posture as chronic, has_guardrail_breach as breach
        from marts.fct_team_quarter
        order by quarter_start desc, team
        limit 18
    """).show(max_width=200)
    print("Open projects needing attention (delivery status and why), by expected impact:")
    con.sql("""
        select project_id, owning_team as team, risk_tier, delivery_status,
               round(expected_impact, 1) as impact, round(p_done_by_due, 2) as p_due,
               delivery_status_reason as reason
        from marts.fct_project_health
        where not is_project_closed and delivery_status <> 'on_track' and not is_unplanned_project
        order by expected_impact desc
        limit 10
    """).show(max_width=200)
    print("Missions and their gaps:")
    con.sql("""
        select mission, deadline, open_project_count as open, round(p_done_by_deadline, 2) as p_done,
               gap_reasons
        from marts.fct_mission_coverage
        order by deadline
    """).show(max_width=200)
PY
