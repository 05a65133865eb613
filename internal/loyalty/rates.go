package loyalty

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// Rate earns more, less or nothing on some products: a line whose SKU or
// category is the rate's earns at its multiplier (2: double points on
// tea; 0: none on cigarettes or phone top-ups). A line matching several
// rates takes its SKU's, else the first category's.
type Rate struct {
	SKU        string  `json:"sku,omitempty"`
	Category   string  `json:"category,omitempty"`
	Multiplier float64 `json:"multiplier"`
}

// checkRates says what is wrong with the rates, naming the field.
func (p Program) checkRates() error {
	for i, r := range p.Rates {
		at := fmt.Sprintf("rates[%d].", i)
		switch {
		case (r.SKU == "") == (r.Category == ""):
			return fmt.Errorf("%ssku: name a SKU or a category, one of them", at)
		case r.Multiplier < 0 || r.Multiplier > 10 || math.IsNaN(r.Multiplier):
			return fmt.Errorf("%smultiplier: %v is not from 0 to 10", at, r.Multiplier)
		}
	}
	return nil
}

// Line is an order line as earning counts it.
type Line struct {
	SKU, Category string
	Total         int64 // minor units
}

// rateOf is a line's multiplier in thousandths (1000: as the programme).
func (p Program) rateOf(l Line) int64 {
	best := int64(-1)
	for _, r := range p.Rates {
		m := int64(math.Round(r.Multiplier * 1000))
		if r.SKU != "" && r.SKU == l.SKU {
			return m
		}
		if best < 0 && r.Category != "" && r.Category == l.Category {
			best = m
		}
	}
	if best < 0 {
		return 1000
	}
	return best
}

// EarnedOn is what an order earns on what was paid and kept (net of a
// total): Earned, with each line of a rated product at its rate. The
// lines' totals are weighed by their rates (a delivery charge beside them
// at 1; an order discount off every line alike) and the points are that
// weight's share of net — so without rates it is exactly Earned, and a
// return takes back evenly from every line.
func (p Program) EarnedOn(net, total int64, currency string, lines []Line) int64 {
	if len(p.Rates) == 0 || len(lines) == 0 || total <= 0 {
		return p.Earned(net, currency)
	}
	if currency != p.Currency || net <= 0 || p.EarnPer <= 0 {
		return 0
	}
	weight, sum := new(big.Int), int64(0)
	for _, l := range lines {
		weight.Add(weight, new(big.Int).Mul(big.NewInt(max(l.Total, 0)), big.NewInt(p.rateOf(l))))
		sum += max(l.Total, 0)
	}
	// What the total holds besides the lines: delivery earns at 1; a
	// discount comes off every line in proportion, so it is taken off the
	// weight as the lines' own share, not at 1.
	over := total
	if rest := total - sum; rest >= 0 {
		weight.Add(weight, big.NewInt(rest*1000))
	} else if sum > 0 {
		over = sum // weight × total ÷ sum is the lines' weight scaled to the total
	}
	if weight.Sign() <= 0 {
		return 0
	}
	// weight × net ÷ (over × 1000 × EarnPer), in whole numbers: exact.
	num := new(big.Int).Mul(weight, big.NewInt(min(net, total)))
	den := new(big.Int).Mul(big.NewInt(over), big.NewInt(1000*p.EarnPer))
	return num.Quo(num, den).Int64()
}

// share is n × part ÷ whole rounded down (part ≤ whole, all ≥ 0), without
// overflowing: n × part may be past int64.
func share(n, part, whole int64) int64 {
	if whole <= 0 || n <= 0 || part <= 0 {
		return 0
	}
	part = min(part, whole)
	hi, lo := bits.Mul64(uint64(n), uint64(part))
	q, _ := bits.Div64(hi, lo, uint64(whole)) // part ≤ whole: the quotient fits
	return int64(q)
}
