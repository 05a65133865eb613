package loyalty

import (
	"fmt"
	"math"
	"strings"

	"github.com/retainhq/retain"
)

// Tier is a level of the programme a customer reaches by the points they
// earn, or what they spend (Program.TierBy), over a rolling window
// (Program.TierMonths): higher tiers earn more points an order. A customer moves up at once; down only at the end of
// their period, after a grace (Program.TierGraceDays), and then to the
// tier their last window's points reach.
type Tier struct {
	Key        string            `json:"key"`
	Name       map[string]string `json:"name"`                      // en, bn, ne
	MinPoints  int64             `json:"min_points"`                // earned in the window; the first tier's is 0
	MinSpend   int64             `json:"min_spend_minor,omitempty"` // spent (net) in the window, when tiers go by spend
	Multiplier float64           `json:"multiplier"`                // on what an order earns (1 = as the programme)
}

// checkTiers says what is wrong with the tiers: keys once, names in every
// language, the first from 0 points and each next above it, multipliers
// from 1 to 10.
func (p Program) checkTiers() error {
	if len(p.Tiers) == 0 {
		return nil
	}
	if p.TierMonths < 1 || p.TierMonths > 36 {
		return fmt.Errorf("tier_months: %d is not from 1 to 36", p.TierMonths)
	}
	if p.TierGraceDays < 0 || p.TierGraceDays > 365 {
		return fmt.Errorf("tier_grace_days: %d is not from 0 to 365", p.TierGraceDays)
	}
	if p.TierBy != "" && p.TierBy != TierByPoints && p.TierBy != TierBySpend {
		return fmt.Errorf("tier_by: %q is not points or spend", p.TierBy)
	}
	field := "min_points"
	if p.TierBy == TierBySpend {
		field = "min_spend_minor"
	}
	seen := map[string]bool{}
	for i, t := range p.Tiers {
		at := fmt.Sprintf("tiers[%d].", i)
		switch {
		case !rewardKey.MatchString(t.Key) || seen[t.Key]:
			return fmt.Errorf("%skey: %q is not 1 to 40 lowercase letters, digits, - or _, once", at, t.Key)
		case i == 0 && p.Threshold(i) != 0:
			return fmt.Errorf("%s%s: the first tier starts at 0", at, field)
		case i > 0 && p.Threshold(i) <= p.Threshold(i-1):
			return fmt.Errorf("%s%s: %d is not above the tier before's %d", at, field, p.Threshold(i), p.Threshold(i-1))
		case t.Multiplier < 1 || t.Multiplier > 10:
			return fmt.Errorf("%smultiplier: %v is not from 1 to 10", at, t.Multiplier)
		}
		for _, l := range retain.PlaybookLocales {
			if strings.TrimSpace(t.Name[l]) == "" {
				return fmt.Errorf("%sname.%s: the %s name is missing", at, l, l)
			}
		}
		seen[t.Key] = true
	}
	return nil
}

// What reaches a tier.
const (
	TierByPoints = "points"
	TierBySpend  = "spend"
)

// Threshold is what reaches tier i: points, or minor units spent.
func (p Program) Threshold(i int) int64 {
	if p.TierBy == TierBySpend {
		return p.Tiers[i].MinSpend
	}
	return p.Tiers[i].MinPoints
}

// TierFor is the highest tier a window's measure (points earned, or net
// spent) reaches; -1 when the programme has no tiers.
func (p Program) TierFor(measure int64) int {
	best := -1
	for i := range p.Tiers {
		if measure >= p.Threshold(i) {
			best = i
		}
	}
	return best
}

// TierIndex is the position of a tier by key, -1 for none.
func (p Program) TierIndex(key string) int {
	for i, t := range p.Tiers {
		if t.Key == key {
			return i
		}
	}
	return -1
}

// Multiplied is what an order's points come to in a tier.
func (p Program) Multiplied(points int64, tier int) int64 {
	if tier < 0 || tier >= len(p.Tiers) {
		return points
	}
	return int64(math.Floor(float64(points) * p.Tiers[tier].Multiplier))
}
