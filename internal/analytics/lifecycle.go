package analytics

import "github.com/retainhq/retain"

// AtRiskHealth is the health score under which a customer who has not yet
// lapsed counts as at risk, whatever their rhythm says.
const AtRiskHealth = 40

// Stage places a buyer in their lifecycle as of the day asOf, from their
// purchase days (sorted), the population's usual gap, their health score,
// rhythm flags and frequency quintile f. The first rule that holds wins
// (docs/analytics.md, Lifecycle stages and "at risk"):
//
//   - lapsed: no order for more than Lapse × their usual gap — gone, for a
//     win-back campaign rather than a call;
//   - at_risk: not lapsed, and a risk flag (overdue, slowing, shrinking) or
//     a health score under AtRiskHealth — still here, slipping: the list to
//     work through;
//   - new: one purchase day so far;
//   - won_back: their last order ended a gap longer than Lapse × the usual
//     gap before it, and it was recent (within that usual gap);
//   - loyal: orders often (frequency quintile 4 or 5);
//   - active: everyone else who buys.
func (c RhythmConfig) Stage(days []Day, asOf int, popGap, health float64, flags []retain.Flag, f int) string {
	n := len(days)
	if n == 0 {
		return retain.StageProspect
	}
	cadence := c.Cadence(days, popGap)
	since := float64(asOf - int(days[n-1].Day))
	if since > c.Lapse*cadence {
		return retain.StageLapsed
	}
	if health < AtRiskHealth {
		return retain.StageAtRisk
	}
	for _, fl := range flags {
		if fl.Kind == retain.FlagRisk {
			return retain.StageAtRisk
		}
	}
	if n == 1 {
		return retain.StageNew
	}
	before := c.Cadence(days[:n-1], popGap)
	if lastGap := float64(days[n-1].Day - days[n-2].Day); lastGap > c.Lapse*before && since <= before {
		return retain.StageWonBack
	}
	if f >= 4 {
		return retain.StageLoyal
	}
	return retain.StageActive
}
