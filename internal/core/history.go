package core

import (
	"context"
	"time"

	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/store"
)

// history is every customer's purchase days, as the models need them.
type history struct {
	customers           []store.CustomerRef
	days                [][]analytics.Day // by customer index, sorted, merged per civil day
	currency            []string          // each customer's main currency (of their first order)
	catNames            []string          // category bit i → name (i mod 64)
	otherCurrencyOrders int               // orders whose value was left out: not in the customer's currency
	orders              int
}

// civilDay is the day number (days since 1970-01-01) of t's calendar date
// in loc, so that day arithmetic never meets a DST shift.
func civilDay(t time.Time, loc *time.Location) int32 {
	if loc == time.UTC {
		return int32(floorDiv(t.Unix(), 86400))
	}
	y, m, d := t.In(loc).Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// dayTime is the UTC midnight of a civil day.
func dayTime(day int) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// loadHistory reads the order history, merging each customer's orders per
// calendar day in the customer's time zone (else loc).
func loadHistory(ctx context.Context, db *store.DB, loc *time.Location) (*history, error) {
	customers, err := db.ScoringCustomers(ctx)
	if err != nil {
		return nil, err
	}
	h := &history{customers: customers, days: make([][]analytics.Day, len(customers)), currency: make([]string, len(customers))}
	index := make(map[int64]int, len(customers))
	locs := make([]*time.Location, len(customers))
	zones := map[string]*time.Location{}
	for i, c := range customers {
		index[c.ID] = i
		locs[i] = loc
		if c.TimeZone != "" {
			z, ok := zones[c.TimeZone]
			if !ok {
				if z, err = time.LoadLocation(c.TimeZone); err != nil {
					z = loc
				}
				zones[c.TimeZone] = z
			}
			locs[i] = z
		}
	}
	cats := map[string]int{}
	lastOrder := int64(-1)
	err = db.History(ctx, func(r store.HistoryRow) error {
		i, ok := index[r.CustomerID]
		if !ok {
			return nil // a customer created after the list was read
		}
		var bit uint64
		if r.Category != "" {
			n, ok := cats[r.Category]
			if !ok {
				n = len(cats)
				cats[r.Category] = n
				h.catNames = append(h.catNames, r.Category)
			}
			bit = 1 << (uint(n) % 64)
		}
		day := civilDay(r.PlacedAt, locs[i])
		ds := h.days[i]
		newOrder := r.OrderID != lastOrder
		lastOrder = r.OrderID
		if len(ds) == 0 || ds[len(ds)-1].Day != day {
			ds = append(ds, analytics.Day{Day: day})
		}
		d := &ds[len(ds)-1]
		d.Cats |= bit
		if newOrder {
			h.orders++
			if h.currency[i] == "" {
				h.currency[i] = r.Currency
			}
			if r.Currency == h.currency[i] {
				d.Value += float32(r.Total)
			} else {
				h.otherCurrencyOrders++
			}
		}
		h.days[i] = ds
		return nil
	})
	h.compact()
	return h, err
}

// compact moves every customer's days into one exactly sized array: append
// leaves up to half of each slice unused, a few hundred MB at 10M orders.
func (h *history) compact() {
	n := 0
	for _, ds := range h.days {
		n += len(ds)
	}
	all := make([]analytics.Day, 0, n)
	for i, ds := range h.days {
		start := len(all)
		all = append(all, ds...)
		h.days[i] = all[start:len(all):len(all)]
	}
}
