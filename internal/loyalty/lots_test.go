package loyalty

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestLotsFIFO (rapid): over random runs of earning, spending, time
// passing and expiry, a redemption draws exactly what was asked when the
// live points suffice (and nothing otherwise), never more than a lot
// holds, and only from a lot when every lot due to expire sooner is spent;
// expiry takes exactly the remainder of the lots past their date, and
// running it again takes nothing; no balance goes below zero.
func TestLotsFIFO(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		now := start
		var lots []Lot
		balance := func() (live, all int64) {
			for _, l := range lots {
				all += l.Remaining
				if l.Live(now) {
					live += l.Remaining
				}
			}
			return live, all
		}
		for i := range rapid.IntRange(1, 60).Draw(t, "steps") {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0: // earn
				l := Lot{ID: int64(i + 1), Remaining: rapid.Int64Range(1, 500).Draw(t, "points"), EarnedAt: now}
				if days := rapid.IntRange(0, 400).Draw(t, "expires_in_days"); days > 0 {
					l.ExpiresAt = now.AddDate(0, 0, days)
				}
				lots = append(lots, l)
			case 1: // redeem
				n := rapid.Int64Range(1, 800).Draw(t, "redeem")
				live, _ := balance()
				draws, ok := Take(lots, n, now)
				if ok != (live >= n) {
					t.Fatalf("redeem %d of %d live: ok=%v", n, live, ok)
				}
				var total int64
				drawn := map[int64]int64{}
				for _, d := range draws {
					total += d.Points
					drawn[d.Lot] += d.Points
				}
				if ok && total != n || !ok && len(draws) != 0 {
					t.Fatalf("redeem %d: drew %d (%v)", n, total, draws)
				}
				for _, l := range lots {
					if drawn[l.ID] > l.Remaining || drawn[l.ID] > 0 && !l.Live(now) {
						t.Fatalf("lot %+v overdrawn or dead: %d", l, drawn[l.ID])
					}
				}
				for _, l := range lots { // first in, first out: a lot drawn means every sooner one is empty after
					if drawn[l.ID] == 0 {
						continue
					}
					for _, o := range lots {
						if o.Live(now) && spendOrder(o, l) < 0 && drawn[o.ID] != o.Remaining {
							t.Fatalf("lot %d drawn while %+v (sooner) keeps %d", l.ID, o, o.Remaining-drawn[o.ID])
						}
					}
				}
				for j := range lots {
					lots[j].Remaining -= drawn[lots[j].ID]
				}
			case 2: // time passes
				now = now.Add(time.Duration(rapid.IntRange(1, 24*90).Draw(t, "hours")) * time.Hour)
			case 3: // expiry, twice
				_, before := balance()
				var gone int64
				for _, d := range Expired(lots, now) {
					for j := range lots {
						if lots[j].ID == d.Lot {
							if d.Points != lots[j].Remaining || lots[j].Live(now) {
								t.Fatalf("expiry of %+v takes %d", lots[j], d.Points)
							}
							lots[j].Remaining = 0
						}
					}
					gone += d.Points
				}
				if _, after := balance(); after != before-gone || len(Expired(lots, now)) != 0 {
					t.Fatalf("expiry: %d → %d taking %d, again %v", before, after, gone, Expired(lots, now))
				}
			}
			for _, l := range lots {
				if l.Remaining < 0 {
					t.Fatalf("negative lot %+v", l)
				}
			}
		}
	})
}

// TestReversal (rapid): an order earned on what was kept when its window
// ended (the basis, after refunds inside it), at any multiplier; however
// the refunds after are split, what they take back is what their total
// would take whole — the share of the points that it is of the basis —
// never more than the order earned, all of it for a refund of everything
// kept, and a refund of nothing takes nothing.
func TestReversal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Program{EarnPer: rapid.Int64Range(1, 20000).Draw(t, "per")}
		total := rapid.Int64Range(1, 10_000_000).Draw(t, "total")
		basis := total - rapid.Int64Range(0, total-1).Draw(t, "refunded inside the window")
		earned := p.Multiplied(p.Earned(basis, p.Currency), 0)
		if m := rapid.Float64Range(1, 3).Draw(t, "multiplier"); m > 1 {
			p.Tiers = []Tier{{Multiplier: m}}
			earned = p.Multiplied(p.Earned(basis, p.Currency), 0)
		}
		var reversed, refunded int64
		for range rapid.IntRange(1, 8).Draw(t, "refunds") {
			refund := rapid.Int64Range(0, basis-refunded).Draw(t, "refund")
			before := reversed
			refunded += refund
			reversed += p.Reversal(earned, reversed, basis, refunded)
			if reversed < before || (refund == 0 && reversed != before) || reversed > earned {
				t.Fatalf("refund %d: reversed %d → %d of %d earned", refund, before, reversed, earned)
			}
			if whole := p.Reversal(earned, 0, basis, refunded); reversed != whole {
				t.Fatalf("refunded %d in parts: %d taken back, whole it is %d", refunded, reversed, whole)
			}
		}
		if all := p.Reversal(earned, 0, basis, basis); all != earned {
			t.Fatalf("a refund of all %d kept takes back %d of %d", basis, all, earned)
		}
		if earned > 0 && refunded < basis && p.Reversal(earned, 0, basis, refunded) == earned && refunded*earned < basis*(earned-1) {
			t.Fatalf("a refund of %d of %d took back every point", refunded, basis)
		}
	})
}

// TestEarnedOn (rapid): with no rate that applies, an order earns exactly
// what Earned gives on its net; rating every line 0 earns nothing but what
// the order holds besides its lines; rating a line up never earns less,
// and what is earned never passes the highest rate's share.
func TestEarnedOn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Program{Currency: "BDT", EarnPer: rapid.Int64Range(1, 20000).Draw(t, "per")}
		var lines []Line
		var sum int64
		for i := range rapid.IntRange(1, 6).Draw(t, "lines") {
			l := Line{SKU: fmt.Sprint("S", i), Category: []string{"tea", "snacks"}[i%2], Total: rapid.Int64Range(0, 2_000_000).Draw(t, "line")}
			lines, sum = append(lines, l), sum+l.Total
		}
		total := max(sum+rapid.Int64Range(-sum/10, 50000).Draw(t, "delivery or discount"), 1)
		net := rapid.Int64Range(0, total).Draw(t, "net")
		p.Rates = []Rate{{Category: "toys", Multiplier: 5}} // no line is a toy
		if got, want := p.EarnedOn(net, total, "BDT", lines), p.Earned(net, "BDT"); got != want {
			t.Fatalf("no rate applies: %d, want %d", got, want)
		}
		p.Rates = []Rate{{Category: "tea", Multiplier: 1}, {Category: "snacks", Multiplier: 1}}
		if got, want := p.EarnedOn(net, total, "BDT", lines), p.Earned(net, "BDT"); got != want {
			t.Fatalf("every rate 1: %d, want %d", got, want)
		}
		p.Rates = []Rate{{Category: "tea", Multiplier: 0}, {Category: "snacks", Multiplier: 0}}
		if got, want := p.EarnedOn(net, total, "BDT", lines), p.Earned(max(total-sum, 0)*net/total, "BDT"); got > want+1 || got < 0 {
			t.Fatalf("every line rated 0: %d, want at most %d", got, want)
		}
		low := Program{Currency: "BDT", EarnPer: p.EarnPer, Rates: []Rate{{Category: "tea", Multiplier: 1.5}}}
		high := Program{Currency: "BDT", EarnPer: p.EarnPer, Rates: []Rate{{Category: "tea", Multiplier: 2}}}
		a, b := low.EarnedOn(net, total, "BDT", lines), high.EarnedOn(net, total, "BDT", lines)
		if b < a || b > p.Earned(net, "BDT")*2+1 {
			t.Fatalf("tea at 1.5: %d, at 2: %d (plain %d)", a, b, p.Earned(net, "BDT"))
		}
	})
}
