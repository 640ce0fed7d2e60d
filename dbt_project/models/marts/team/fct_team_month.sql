-- The per-team metrics of spec section 5 by calendar month; the guardrail is judged on months.
{{ team_period_mart('month') }}
