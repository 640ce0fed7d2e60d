-- The per-team metrics of spec section 5 by calendar quarter, with the chronic posture and the
-- months of the quarter that breached the guardrail.
{{ team_period_mart('quarter', ['chronic_posture', 'guardrail_breach_months']) }}
