package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retainhq/retain"
)

// Apply writes b in one transaction and returns the rows it refused (an
// order line or event whose order does not exist, a survey naming an unknown
// order or ticket). Rows must already be valid (retain's Validate methods).
func (db *DB) Apply(ctx context.Context, b *Batch) ([]Reject, error) {
	var rejects []Reject
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		rejects, err = tx.Apply(ctx, b)
		return err
	})
	return rejects, err
}

// Apply writes b inside tx; see DB.Apply.
func (tx *Tx) Apply(ctx context.Context, b *Batch) ([]Reject, error) {
	return tx.ApplyStaged(ctx, Stage(b))
}

// Staged is a batch turned into staging rows; see Stage.
type Staged struct{ *stager }

// Stage prepares b for ApplyStaged. It is pure Go, so a bulk loader can
// stage the next batch on another core while the database writes this one.
func Stage(b *Batch) Staged { return Staged{newStager(b)} }

// ApplyStaged writes a staged batch in its own transaction.
func (db *DB) ApplyStaged(ctx context.Context, st Staged) ([]Reject, error) {
	var rejects []Reject
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		rejects, err = tx.ApplyStaged(ctx, st)
		return err
	})
	return rejects, err
}

// ApplyStaged writes a staged batch inside tx.
func (tx *Tx) ApplyStaged(ctx context.Context, st Staged) ([]Reject, error) {
	if st.stager == nil || st.empty() { // the zero Staged is an empty batch
		return nil, nil
	}
	if err := tx.prepareStage(ctx); err != nil {
		return nil, err
	}
	staged := map[string]int64{}
	for _, s := range []struct {
		t    stageTable
		rows [][]any
	}{
		{stStaff, st.staff()}, {stCust, st.customers()}, {stCons, st.consents}, {stProd, st.products()},
		{stOrder, st.orders}, {stLine, st.lines}, {stOEv, st.orderEvents}, {stTick, st.tickets}, {stTickMsg, st.ticketMsgs},
		{stSurv, st.surveys}, {stSubs, st.subs}, {stInter, st.inters}, {stTimers, st.timers},
	} {
		if err := tx.loadStage(ctx, s.t, s.rows); err != nil {
			return nil, err
		}
		staged[s.t.name] = int64(len(s.rows))
	}
	marks, err := tx.markChanges(ctx, st)
	if err != nil {
		return nil, err
	}
	now := tx.now
	var rejects []Reject
	allNew := map[string]bool{}
	for _, step := range mergeSteps {
		if step.onlyIfExisted != "" && allNew[step.onlyIfExisted] {
			continue
		}
		if step.rejects != "" {
			rs, err := tx.collectRejects(ctx, step.rejects)
			if err != nil {
				return nil, fmt.Errorf("store: %s: %w", step.name, err)
			}
			rejects = append(rejects, rs...)
		}
		var inserted int64
		for i, q := range step.sql {
			if i == 1 && step.stage != "" && inserted == staged[step.stage] {
				continue // every staged row was new: nothing to update
			}
			q, usesNow := tx.db.render(q)
			args := []any{}
			if usesNow {
				args = append(args, now)
			}
			res, err := tx.exec(ctx, q, args...)
			if err != nil {
				return nil, fmt.Errorf("store: merge %s: %w", step.name, err)
			}
			if i == 0 && step.stage != "" {
				if inserted, err = res.RowsAffected(); err != nil {
					return nil, fmt.Errorf("store: merge %s: %w", step.name, err)
				}
				allNew[step.stage] = inserted == staged[step.stage]
			}
		}
	}
	if err := tx.writeTimers(ctx, len(st.timers)); err != nil {
		return nil, err
	}
	if err := tx.appendChanges(ctx, marks); err != nil {
		return nil, err
	}
	sort.Slice(rejects, func(i, j int) bool { return rejects[i].Ref < rejects[j].Ref })
	return rejects, nil
}

func (tx *Tx) collectRejects(ctx context.Context, q string) ([]Reject, error) {
	rows, err := tx.query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var (
			r         Reject
			what, ext string
		)
		if err := rows.Scan(&r.Ref, &what, &ext); err != nil {
			return nil, err
		}
		r.Field = what + "_id"
		if what == "order" {
			r.Why = *retain.Because("unknown_order", "unknown order %s", ext)
		} else {
			r.Why = *retain.Because("unknown_ticket", "unknown ticket %s", ext)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// tagsArg is a ticket's tags as stored, ",a,b," (so one tag is found
// with LIKE '%,a,%'); nil: not given.
func tagsArg(tags []string) any {
	if tags == nil {
		return nil
	}
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

// stager turns a batch into staging rows, de-duplicated by external id (the
// later row wins) and with the customers and staff that rows refer to.
type stager struct {
	staffRows map[string][]any
	staffKeys []string
	custRows  map[string][]any
	custKeys  []string
	prodRows  map[string][]any
	prodKeys  []string
	consents  [][]any

	orders, lines, orderEvents, tickets, ticketMsgs, surveys, subs, inters [][]any
	timers                                                                 [][]any
}

func newStager(b *Batch) *stager {
	s := &stager{staffRows: map[string][]any{}, custRows: map[string][]any{}, prodRows: map[string][]any{}}
	for _, r := range b.Staff {
		v := r.V
		s.putStaff(v.ExternalID, []any{r.Ref, v.ExternalID, v.Name, strArg(v.Email), v.Role, strArg(v.Team), v.CanLogin, strArg(v.Locale)})
	}
	for _, r := range b.Customers {
		c := r.V
		attrs := any(nil)
		if len(c.Attributes) > 0 {
			j, _ := json.Marshal(c.Attributes)
			attrs = string(j)
		}
		s.putCustomer(c.ExternalID, []any{r.Ref, c.ExternalID, strArg(c.Name), strArg(c.Email), strArg(c.Phone), strArg(c.Locale),
			strArg(c.TimeZone), strArg(c.Stage), strArg(c.OwnerRef), attrs, timeArg(c.FirstSeenAt)})
		s.refStaff(c.OwnerRef)
		for _, cs := range c.Consents {
			s.consents = append(s.consents, []any{c.ExternalID, cs.Channel, cs.Purpose, cs.Granted, cs.Source, timeArg(cs.At)})
		}
	}
	for _, r := range b.Orders {
		o := r.V
		s.refCustomer(o.CustomerRef)
		total := o.Total
		if !o.HasTotal {
			total = 0
			for _, l := range o.Lines {
				total += l.Total
			}
		}
		s.orders = append(s.orders, []any{r.Ref, o.ExternalID, o.CustomerRef, strArg(o.Status), strArg(o.Channel), o.Currency, total,
			!o.HasTotal, o.PlacedAt.UTC(), timeArg(o.ExpectedDeliveryAt)})
		if !o.ExpectedDeliveryAt.IsZero() {
			s.timers = append(s.timers, lateTimer(o.ExternalID, o.ExpectedDeliveryAt))
		}
		for _, l := range o.Lines {
			s.addLine(r.Ref, o.ExternalID, l)
		}
	}
	for _, r := range b.OrderLines {
		s.addLine(r.Ref, r.V.OrderRef, r.V.OrderLine)
	}
	for _, r := range b.OrderEvents {
		e := r.V
		s.refStaff(e.StaffRef)
		s.orderEvents = append(s.orderEvents, []any{r.Ref, e.ExternalID, e.OrderRef, string(e.Type), e.Reason, e.Amount, e.OccurredAt.UTC(), strArg(e.StaffRef),
			strArg(e.TrackingURL), strArg(e.RiderPhone)})
	}
	for _, r := range b.Tickets {
		t := r.V
		s.refCustomer(t.CustomerRef)
		s.refStaff(t.AssigneeRef)
		s.tickets = append(s.tickets, []any{r.Ref, t.ExternalID, t.CustomerRef, t.Channel, t.Subject, strArg(t.Body), t.Status, t.Priority,
			strArg(t.AssigneeRef), strArg(t.RootCause), t.OpenedAt.UTC(), timeArg(t.FirstResponseAt), timeArg(t.ResolvedAt),
			tagsArg(t.Tags), strArg(t.Team), strArg(t.OrderRef)})
	}
	for _, r := range b.TicketMessages {
		m := r.V
		s.refStaff(m.StaffRef)
		s.ticketMsgs = append(s.ticketMsgs, []any{r.Ref, m.ExternalID, m.TicketRef, m.Author, strArg(m.StaffRef), m.Channel, m.Body, m.SentAt.UTC(), m.Deliver && (m.Author == "agent" || m.Author == "system")})
	}
	for _, r := range b.SurveyResponses {
		v := r.V
		s.refCustomer(v.CustomerRef)
		s.refStaff(v.StaffRef)
		s.surveys = append(s.surveys, []any{r.Ref, v.ExternalID, v.CustomerRef, v.Kind, int64(v.Score), v.Comment, strArg(v.StaffRef),
			strArg(v.OrderRef), strArg(v.TicketRef), v.RespondedAt.UTC()})
	}
	for _, r := range b.Subscriptions {
		v := r.V
		s.refCustomer(v.CustomerRef)
		s.subs = append(s.subs, []any{r.Ref, v.ExternalID, v.CustomerRef, v.Plan, strArg(v.Status), v.Currency, v.Value, strArg(v.Interval),
			v.StartedAt.UTC(), timeArg(v.RenewsAt)})
		if !v.RenewsAt.IsZero() && (v.Status == "" || v.Status == "active") {
			s.timers = append(s.timers, renewalTimers(v.ExternalID, v.RenewsAt)...)
		}
	}
	for _, r := range b.Interactions {
		v := r.V
		s.refCustomer(v.CustomerRef)
		s.refStaff(v.StaffRef)
		s.inters = append(s.inters, []any{r.Ref, v.ExternalID, v.CustomerRef, strArg(v.StaffRef), v.Kind, strArg(v.Direction), v.Summary, v.OccurredAt.UTC()})
	}
	s.consents = lastByKey(s.consents, 0, 1, 2)
	s.timers = lastByKey(s.timers, 1)
	for _, rows := range []*[][]any{&s.orders, &s.lines, &s.orderEvents, &s.tickets, &s.ticketMsgs, &s.surveys, &s.subs, &s.inters} {
		*rows = lastByKey(*rows, 1)
	}
	return s
}

// lastByKey drops rows whose key columns repeat a later row's, so that the
// last row for an external id wins and a merge never sees one key twice.
func lastByKey(rows [][]any, keyCols ...int) [][]any {
	seen := make(map[string]bool, len(rows))
	out := rows[:0:0]
	for i := len(rows) - 1; i >= 0; i-- {
		key := ""
		for _, c := range keyCols {
			key += fmt.Sprint(rows[i][c]) + "\x00"
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, rows[i])
		}
	}
	slices.Reverse(out)
	return out
}

func (s *stager) empty() bool {
	return len(s.staffKeys)+len(s.custKeys)+len(s.prodKeys)+len(s.consents)+len(s.orders)+len(s.lines)+
		len(s.orderEvents)+len(s.tickets)+len(s.ticketMsgs)+len(s.surveys)+len(s.subs)+len(s.inters)+len(s.timers) == 0
}

func (s *stager) addLine(ref int, orderRef string, l retain.OrderLine) {
	product := any(nil)
	if l.SKU != "" {
		product = l.SKU
		if _, ok := s.prodRows[l.SKU]; !ok {
			s.prodKeys = append(s.prodKeys, l.SKU)
		}
		s.prodRows[l.SKU] = []any{l.SKU, strArg(l.Name), strArg(l.Category)}
	}
	s.lines = append(s.lines, []any{ref, l.ExternalID, orderRef, product, l.Name, l.Quantity, l.UnitPrice, l.Total})
}

func (s *stager) putStaff(ext string, row []any) {
	if _, ok := s.staffRows[ext]; !ok {
		s.staffKeys = append(s.staffKeys, ext)
	}
	s.staffRows[ext] = row
}

// refStaff makes sure a referenced staff member exists: someone named in a
// survey or set as an owner becomes a representative (no login) if new.
func (s *stager) refStaff(ext string) {
	if ext == "" {
		return
	}
	if _, ok := s.staffRows[ext]; !ok {
		s.staffKeys = append(s.staffKeys, ext)
		s.staffRows[ext] = []any{0, ext, nil, nil, nil, nil, nil, nil}
	}
}

func (s *stager) putCustomer(ext string, row []any) {
	if _, ok := s.custRows[ext]; !ok {
		s.custKeys = append(s.custKeys, ext)
	}
	s.custRows[ext] = row
}

func (s *stager) refCustomer(ext string) {
	if _, ok := s.custRows[ext]; !ok {
		s.custKeys = append(s.custKeys, ext)
		s.custRows[ext] = []any{0, ext, nil, nil, nil, nil, nil, nil, nil, nil, nil}
	}
}

func collect(keys []string, m map[string][]any) [][]any {
	out := make([][]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func (s *stager) staff() [][]any     { return collect(s.staffKeys, s.staffRows) }
func (s *stager) customers() [][]any { return collect(s.custKeys, s.custRows) }
func (s *stager) products() [][]any  { return collect(s.prodKeys, s.prodRows) }
