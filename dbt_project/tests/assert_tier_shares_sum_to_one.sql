-- Spec invariant: a team-quarter with classified effort has tier shares summing to 1.
select team_quarter_id, sure_thing_share + linear_bet_share + moonshot_share as share_total
from {{ ref('fct_team_quarter_tier_mix') }}
where classified_days > 0
  and abs(sure_thing_share + linear_bet_share + moonshot_share - 1) > 1e-9
