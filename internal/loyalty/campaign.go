package loyalty

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// Campaign multiplies what the orders placed on its days earn: "double
// points for Pohela Boishakh", "triple points on tea in Dashain week".
type Campaign struct {
	Key        string            `json:"key"`
	Name       map[string]string `json:"name"` // en, bn, ne
	From       string            `json:"from"` // first day, 2027-04-10, in the business's time zone
	To         string            `json:"to"`   // last day, included
	Multiplier float64           `json:"multiplier"`
}

// checkCampaigns says what is wrong with the campaigns, naming the field.
func (p Program) checkCampaigns() error {
	seen := map[string]bool{}
	for i, c := range p.Campaigns {
		at := fmt.Sprintf("campaigns[%d].", i)
		from, errFrom := time.Parse(time.DateOnly, c.From)
		to, errTo := time.Parse(time.DateOnly, c.To)
		switch {
		case !rewardKey.MatchString(c.Key) || seen[c.Key]:
			return fmt.Errorf("%skey: %q is not 1 to 40 lowercase letters, digits, - or _, once", at, c.Key)
		case errFrom != nil:
			return fmt.Errorf("%sfrom: %q is not a date (2027-04-10)", at, c.From)
		case errTo != nil:
			return fmt.Errorf("%sto: %q is not a date (2027-04-10)", at, c.To)
		case to.Before(from):
			return fmt.Errorf("%sto: %s is before the campaign's first day", at, c.To)
		case c.Multiplier <= 1 || c.Multiplier > 10:
			return fmt.Errorf("%smultiplier: %v is not above 1 and at most 10", at, c.Multiplier)
		}
		for _, l := range retain.PlaybookLocales {
			if strings.TrimSpace(c.Name[l]) == "" {
				return fmt.Errorf("%sname.%s: the %s name is missing", at, l, l)
			}
		}
		seen[c.Key] = true
	}
	return nil
}

// CampaignOn is the campaign whose days hold t in the zone, the one with
// the highest multiplier when several do (campaigns do not stack).
func (p Program) CampaignOn(t time.Time, zone *time.Location) (Campaign, bool) {
	day := t.In(zone).Format(time.DateOnly)
	var best Campaign
	for _, c := range p.Campaigns {
		if c.From <= day && day <= c.To && c.Multiplier > best.Multiplier { // ISO dates compare as strings
			best = c
		}
	}
	return best, best.Key != ""
}

// Boosted is points under a campaign's multiplier, rounded down.
func (c Campaign) Boosted(points int64) int64 {
	if c.Multiplier <= 1 {
		return points
	}
	return int64(math.Floor(float64(points) * c.Multiplier))
}
