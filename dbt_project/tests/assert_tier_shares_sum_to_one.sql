-- Spec invariant: a team-period with classified effort has tier shares summing to 1 (both grains).
select team_period_id, sure_thing_share + linear_bet_share + moonshot_share as share_total
from {{ ref('int_team_period_metrics') }}
where classified_effort > 0
  and abs(sure_thing_share + linear_bet_share + moonshot_share - 1) > 1e-9
