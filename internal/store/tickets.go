package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// The support desk's reads and the SLA clock's writes. Tickets and their
// messages are written through Apply, the one way in; what is here only
// reads them, or records what the desk consumer derived from them (due
// times, the outbox message that carried an agent's reply).

// TicketRow is a ticket as the inbox and the ticket page show it.
type TicketRow struct {
	ID                             int64
	ExternalID, Subject, Channel   string
	Status, Priority, RootCause    string
	CustomerID                     int64
	CustomerRef, CustomerName      string
	CustomerPhone, CustomerEmail   string
	CustomerLocale                 string
	AssigneeID                     int64
	Assignee, AssigneeRef          string
	OpenedAt, UpdatedAt            time.Time
	FirstResponseAt, ResolvedAt    time.Time
	LastCustomerAt, PausedAt       time.Time
	FirstResponseDue, NextResponse time.Time // due times; zero: none running
	ResolutionDue                  time.Time
	Messages                       int
	Tags                           []string
	TeamID, OrderID                int64
	Team, OrderRef                 string
	MergedIntoID                   int64  // the ticket this one was merged into; 0: none
	MergedInto                     string // its external id
	AssigneeTeam                   string // the assignee's team's name
}

// Due is the next deadline the ticket must meet: its first response, else
// a reply to the customer's latest message, else its resolution; zero
// when none is running (resolved, or no policy).
func (t TicketRow) Due() time.Time {
	var out time.Time
	for _, d := range []time.Time{t.FirstResponseDue, t.NextResponse, t.ResolutionDue} {
		if !d.IsZero() && (out.IsZero() || d.Before(out)) {
			out = d
		}
	}
	return out
}

// WorkingTeam is the team whose hours and leads the ticket has: its own,
// else its assignee's; "" for none.
func (t TicketRow) WorkingTeam() string {
	if t.Team != "" {
		return t.Team
	}
	return t.AssigneeTeam
}

// Open reports whether the ticket still asks for work.
func (t TicketRow) Open() bool { return t.Status != "resolved" && t.Status != "closed" }

// ThreadMessage is one message of a ticket as the ticket page shows it,
// with the outbox status of an agent's reply.
type ThreadMessage struct {
	ID               int64
	ExternalID       string
	Author, Staff    string
	Channel, Body    string
	SentAt           time.Time
	MessageID        int64
	Deliver          bool                 // to be sent (an agent's reply written in Retain)
	Delivery         retain.MessageStatus // of the outbox message; empty when none
	DeliveryProblem  string
	DeliveryRecorded time.Time
}

// The columns of TicketRow; "due" is the first of the running deadlines.
const ticketCols = `t.id, t.external_id, t.subject, t.channel, t.status, t.priority, t.root_cause,
	c.id, c.external_id, COALESCE(c.name, ''), COALESCE(c.phone, ''), COALESCE(c.email, ''), COALESCE(c.locale, ''),
	COALESCE(t.assignee_id, 0), COALESCE(st.name, ''), COALESCE(st.external_id, ''),
	t.opened_at, t.updated_at, t.first_response_at, t.resolved_at, t.last_customer_at, t.paused_at,
	CASE WHEN t.first_response_at IS NULL THEN t.first_response_due_at END, t.next_response_due_at, t.resolution_due_at,
	(SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket_id = t.id),
	t.tags, COALESCE(t.team_id, 0), COALESCE(t.order_id, 0), COALESCE(tm.name, ''), COALESCE(o.external_id, ''), COALESCE(t.merged_into_id, 0),
	COALESCE(mt.external_id, ''), COALESCE(atm.name, '')`

const ticketFrom = ` FROM tickets t JOIN customers c ON c.id = t.customer_id LEFT JOIN staff st ON st.id = t.assignee_id
	LEFT JOIN teams tm ON tm.id = t.team_id LEFT JOIN orders o ON o.id = t.order_id LEFT JOIN tickets mt ON mt.id = t.merged_into_id
	LEFT JOIN teams atm ON atm.id = st.team_id`

func scanTicket(rows interface{ Scan(...any) error }) (TicketRow, error) {
	var t TicketRow
	var opened, updated, first, resolved, lastCust, paused, frDue, nextDue, resDue nullTime
	var tags string
	err := rows.Scan(&t.ID, &t.ExternalID, &t.Subject, &t.Channel, &t.Status, &t.Priority, &t.RootCause,
		&t.CustomerID, &t.CustomerRef, &t.CustomerName, &t.CustomerPhone, &t.CustomerEmail, &t.CustomerLocale,
		&t.AssigneeID, &t.Assignee, &t.AssigneeRef, &opened, &updated, &first, &resolved, &lastCust, &paused,
		&frDue, &nextDue, &resDue, &t.Messages, &tags, &t.TeamID, &t.OrderID, &t.Team, &t.OrderRef, &t.MergedIntoID, &t.MergedInto, &t.AssigneeTeam)
	t.Tags = splitTags(tags)
	t.OpenedAt, t.UpdatedAt, t.FirstResponseAt, t.ResolvedAt = opened.T, updated.T, first.T, resolved.T
	t.LastCustomerAt, t.PausedAt, t.FirstResponseDue, t.NextResponse, t.ResolutionDue = lastCust.T, paused.T, frDue.T, nextDue.T, resDue.T
	return t, err
}

// splitTags reads tags stored as ",a,b,".
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' })
}

// TicketViews are the inbox's views, in the order it shows them.
var TicketViews = []string{"open", "mine", "team", "unassigned", "breaching", "pending", "resolved", "all"}

// TicketFilter selects tickets for the inbox, the CLI and the API.
type TicketFilter struct {
	View       string // one of TicketViews; default open
	StaffID    int64  // who "mine" is
	TeamID     int64  // whose "team" is
	Status     string
	Channel    string
	CustomerID int64
	Tag        string        // tickets carrying this tag
	Query      string        // subject, customer name, phone, e-mail or external id
	Soon       time.Duration // "breaching": due within this (default 1 hour)
	Sort       string        // due (default), -opened, opened, -updated
	Limit      int           // default 50
	Offset     int
}

// The deadline a ticket must meet next, as SQL.
const ticketDue = `CASE WHEN t.status IN ('resolved', 'closed', 'pending') THEN NULL
	WHEN t.first_response_at IS NULL THEN COALESCE(t.first_response_due_at, t.resolution_due_at)
	WHEN t.next_response_due_at IS NOT NULL AND (t.resolution_due_at IS NULL OR t.next_response_due_at < t.resolution_due_at) THEN t.next_response_due_at
	ELSE t.resolution_due_at END`

// viewWhere is a view's condition; now is $1, soon's end $2.
func viewWhere(view string, staffID, teamID int64, args *[]any) (string, error) {
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	working := `t.status IN ('new', 'open', 'on_hold')`
	switch view {
	case "", "open":
		return working, nil
	case "mine":
		return `t.status NOT IN ('resolved', 'closed') AND t.assignee_id = ` + arg(staffID), nil
	case "team":
		// the ticket's team, else its assignee's
		return `t.status NOT IN ('resolved', 'closed') AND COALESCE(t.team_id, st.team_id) = ` + arg(teamID), nil
	case "unassigned":
		return `t.status NOT IN ('resolved', 'closed') AND t.assignee_id IS NULL`, nil
	case "breaching":
		return working + ` AND ` + ticketDue + ` <= $2`, nil
	case "pending":
		return `t.status = 'pending'`, nil
	case "resolved":
		return `t.status IN ('resolved', 'closed')`, nil
	case "all":
		return "TRUE", nil
	}
	return "", retain.FieldError("view", "%q is not one of %s", view, strings.Join(TicketViews, ", "))
}

// Tickets lists the tickets f selects.
func (db *DB) Tickets(ctx context.Context, f TicketFilter) ([]TicketRow, error) {
	if f.Soon == 0 {
		f.Soon = time.Hour
	}
	now := db.Now().UTC()
	args := []any{now, now.Add(f.Soon)}
	where, err := viewWhere(f.View, f.StaffID, f.TeamID, &args)
	if err != nil {
		return nil, err
	}
	conds := []string{where, "$1 = $1 AND $2 = $2"}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Status != "" {
		add("t.status = ?", f.Status)
	}
	if f.Channel != "" {
		add("t.channel = ?", f.Channel)
	}
	if f.CustomerID != 0 {
		add("t.customer_id = ?", f.CustomerID)
	}
	if f.Tag != "" {
		add("t.tags LIKE ?", "%,"+f.Tag+",%")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		args = append(args, "%"+strings.ToLower(q)+"%", q)
		like, exact := fmt.Sprintf("$%d", len(args)-1), fmt.Sprintf("$%d", len(args))
		conds = append(conds, "(LOWER(t.subject) LIKE "+like+" OR LOWER(COALESCE(c.name, '')) LIKE "+like+" OR c.phone LIKE "+like+
			" OR LOWER(COALESCE(c.email, '')) LIKE "+like+" OR t.external_id = "+exact+" OR c.external_id = "+exact+")")
	}
	byDue := "(" + ticketDue + ") IS NULL, " + ticketDue + ", t.opened_at, t.id"
	order := map[string]string{"": byDue, "due": byDue, "opened": "t.opened_at, t.id", "-opened": "t.opened_at DESC, t.id DESC",
		"-updated": "t.updated_at DESC, t.id DESC"}[f.Sort]
	if order == "" {
		return nil, retain.FieldError("sort", "%q is not one of due, opened, -opened, -updated", f.Sort)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY `+order+fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	defer rows.Close()
	out := []TicketRow{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TicketCounts counts each view's tickets for one agent. The views of
// work still to do are counted over the tickets not resolved or closed
// (the status index finds them), resolved with a count of its own: a desk
// of a million old tickets and a few hundred open ones counts the few
// hundred.
func (db *DB) TicketCounts(ctx context.Context, staffID, teamID int64, soon time.Duration) (map[string]int, error) {
	if soon == 0 {
		soon = time.Hour
	}
	now := db.Now().UTC()
	args := []any{now, now.Add(soon)}
	var views []string
	var sums []string
	for _, v := range TicketViews {
		if v == "resolved" || v == "all" {
			continue
		}
		w, err := viewWhere(v, staffID, teamID, &args)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
		sums = append(sums, "COALESCE(SUM(CASE WHEN "+w+" THEN 1 ELSE 0 END), 0)")
	}
	counts := make([]int, len(views)+2) // the views', the resolved, the still to do
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	q := `SELECT ` + strings.Join(sums, ", ") + `, (SELECT COUNT(*) FROM tickets WHERE status IN ('resolved', 'closed')), COUNT(*)` + ticketFrom +
		` WHERE t.status IN ('new', 'open', 'pending', 'on_hold') AND $1 = $1 AND $2 = $2`
	if err := db.read.QueryRowContext(ctx, q, args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("store: ticket counts: %w", err)
	}
	out := map[string]int{"resolved": counts[len(views)]}
	for i, v := range views {
		out[v] = counts[i]
	}
	// Every ticket is still to do (new, open, pending, on hold) or done.
	out["all"] = counts[len(views)+1] + out["resolved"]
	return out, nil
}

// Ticket reads one ticket by id.
func (db *DB) Ticket(ctx context.Context, id int64) (TicketRow, error) {
	t, err := scanTicket(db.read.QueryRowContext(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.id = $1`, id))
	if err != nil {
		return t, notFound(err, "no ticket %d", id)
	}
	return t, nil
}

// TicketByRef reads one ticket by its external id.
func (db *DB) TicketByRef(ctx context.Context, ref string) (TicketRow, error) {
	t, err := scanTicket(db.read.QueryRowContext(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.external_id = $1`, ref))
	if err != nil {
		return t, notFound(err, "no ticket %q", ref)
	}
	return t, nil
}

// Thread is a ticket's messages, oldest first.
func (db *DB) Thread(ctx context.Context, ticketID int64) ([]ThreadMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, m.external_id, m.author, COALESCE(st.name, ''), m.channel, m.body, m.sent_at,
		COALESCE(m.message_id, 0), m.deliver, COALESCE(o.status, ''), COALESCE(o.last_error, ''), o.updated_at
		FROM ticket_messages m LEFT JOIN staff st ON st.id = m.staff_id LEFT JOIN messages o ON o.id = m.message_id
		WHERE m.ticket_id = $1 ORDER BY m.sent_at, m.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: thread: %w", err)
	}
	defer rows.Close()
	var out []ThreadMessage
	for rows.Next() {
		var m ThreadMessage
		var sent, recorded nullTime
		if err := rows.Scan(&m.ID, &m.ExternalID, &m.Author, &m.Staff, &m.Channel, &m.Body, &sent, &m.MessageID, &m.Deliver, &m.Delivery,
			&m.DeliveryProblem, &recorded); err != nil {
			return nil, fmt.Errorf("store: thread: %w", err)
		}
		m.SentAt, m.DeliveryRecorded = sent.T, recorded.T
		if m.Delivery == retain.MsgQueued || m.Delivery == retain.MsgSending {
			m.DeliveryProblem = "" // a retry's last error is not the outcome
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ConversationFor is the ticket a customer's new message on channel
// belongs to: their latest on that channel that is not closed, and not
// resolved before reopenAfter (an old resolved ticket gets a new one).
func (db *DB) ConversationFor(ctx context.Context, customerRef, channel string, reopenAfter time.Time) (string, bool, error) {
	var ref string
	err := db.read.QueryRowContext(ctx, `SELECT t.external_id FROM tickets t JOIN customers c ON c.id = t.customer_id
		WHERE c.external_id = $1 AND t.channel = $2 AND t.status <> 'closed' AND (t.status <> 'resolved' OR t.resolved_at >= $3)
		ORDER BY t.opened_at DESC, t.id DESC LIMIT 1`, customerRef, channel, reopenAfter.UTC()).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: conversation: %w", err)
	}
	return ref, true, nil
}

// CustomerRefsByEmail are the external ids of the customers with this
// (normalised) e-mail address.
func (db *DB) CustomerRefsByEmail(ctx context.Context, email string) ([]string, error) {
	return db.refs(ctx, `SELECT external_id FROM customers WHERE email = $1 AND email <> '' ORDER BY id`, email)
}

func (db *DB) refs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	return out, rows.Err()
}

// SLAState is what the SLA clock reads of a ticket inside the desk
// consumer's transaction.
type SLAState struct {
	TicketRow
	LastAgentAt time.Time // the latest agent reply
	Segment     string    // the customer's RFM segment in the latest scoring; "" when not scored
}

// TicketSLA reads a ticket's SLA state.
func (tx *Tx) TicketSLA(ctx context.Context, id int64) (SLAState, bool, error) {
	row, err := scanTicket(tx.tx.QueryRowContext(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return SLAState{}, false, nil
	}
	if err != nil {
		return SLAState{}, false, fmt.Errorf("store: ticket sla: %w", err)
	}
	// The scan hides a met first-response due; the clock needs it.
	var frDue nullTime
	var lastAgent nullTime
	var segment string
	if err := tx.tx.QueryRowContext(ctx, `SELECT first_response_due_at, (SELECT MAX(sent_at) FROM ticket_messages
		WHERE ticket_id = $1 AND author = 'agent'),
		COALESCE((SELECT s.segment FROM customer_scores s WHERE s.customer_id = tickets.customer_id
			AND s.run_id = (SELECT MAX(r.id) FROM scoring_runs r WHERE r.status = 'done')), '')
		FROM tickets WHERE id = $1`, id).Scan(&frDue, &lastAgent, &segment); err != nil {
		return SLAState{}, false, fmt.Errorf("store: ticket sla: %w", err)
	}
	row.FirstResponseDue = frDue.T
	return SLAState{TicketRow: row, LastAgentAt: lastAgent.T, Segment: segment}, true, nil
}

// SLADue is what the clock writes: the three due times and since when it
// is paused (zero: running).
type SLADue struct {
	FirstResponse, NextResponse, Resolution, PausedAt time.Time
}

// SetTicketDue records a ticket's due times.
func (tx *Tx) SetTicketDue(ctx context.Context, id int64, d SLADue) error {
	_, err := tx.exec(ctx, `UPDATE tickets SET first_response_due_at = $2, next_response_due_at = $3, resolution_due_at = $4, paused_at = $5
		WHERE id = $1`, id, timeArg(d.FirstResponse), timeArg(d.NextResponse), timeArg(d.Resolution), timeArg(d.PausedAt))
	if err != nil {
		return fmt.Errorf("store: ticket due: %w", err)
	}
	return nil
}

// ReplyToSend is an agent's reply the desk consumer puts in the outbox.
type ReplyToSend struct {
	MessageID  int64 // the thread's message
	ExternalID string
	TicketID   int64
	Author     string
	Channel    string
	Body       string
	Deliver    bool // to be sent, and not yet in the outbox
}

// TicketMessagesByID reads thread messages by id.
func (tx *Tx) TicketMessagesByID(ctx context.Context, ids []int64) ([]ReplyToSend, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.query(ctx, `SELECT m.id, m.external_id, m.ticket_id, m.author, t.channel, m.body, m.deliver AND m.message_id IS NULL
		FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.id IN (`+idList(ids)+`) ORDER BY m.id`)
	if err != nil {
		return nil, fmt.Errorf("store: ticket messages: %w", err)
	}
	defer rows.Close()
	var out []ReplyToSend
	for rows.Next() {
		var r ReplyToSend
		if err := rows.Scan(&r.MessageID, &r.ExternalID, &r.TicketID, &r.Author, &r.Channel, &r.Body, &r.Deliver); err != nil {
			return nil, fmt.Errorf("store: ticket messages: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LinkReply records the outbox message that carries a thread message.
func (tx *Tx) LinkReply(ctx context.Context, threadID, outboxID int64) error {
	_, err := tx.exec(ctx, `UPDATE ticket_messages SET message_id = $2 WHERE id = $1`, threadID, outboxID)
	if err != nil {
		return fmt.Errorf("store: link reply: %w", err)
	}
	return nil
}

// A ticket's links an upsert never erases (it keeps what it is not given).
const (
	TicketAssignee = "assignee_id"
	TicketTeam     = "team_id"
	TicketOrder    = "order_id"
)

// ClearTicket takes a ticket's assignee, team or linked order away (the
// columns named, from the constants above): a change of the ticket (its
// hours and leads may be another team's now).
func (tx *Tx) ClearTicket(ctx context.Context, id int64, links ...string) error {
	if len(links) == 0 {
		return nil
	}
	for _, col := range links {
		if col != TicketAssignee && col != TicketTeam && col != TicketOrder {
			return fmt.Errorf("store: clear ticket: %q is not a link", col)
		}
		if _, err := tx.exec(ctx, `UPDATE tickets SET `+col+` = NULL, updated_at = $2 WHERE id = $1`, id, tx.now); err != nil {
			return fmt.Errorf("store: clear ticket: %w", err)
		}
	}
	return tx.logTicketsUpdated(ctx, id)
}

// OrderBrief is an order as a list to pick one from shows it.
type OrderBrief struct {
	ExternalID string
	Status     string
	Total      retain.Money
	PlacedAt   time.Time
}

// RecentOrders are a customer's latest orders, newest first.
func (db *DB) RecentOrders(ctx context.Context, customerID int64, limit int) ([]OrderBrief, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT external_id, status, currency, total_minor, placed_at FROM orders
		WHERE customer_id = $1 ORDER BY placed_at DESC, id DESC LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent orders: %w", err)
	}
	defer rows.Close()
	var out []OrderBrief
	for rows.Next() {
		var o OrderBrief
		var placed nullTime
		if err := rows.Scan(&o.ExternalID, &o.Status, &o.Total.Currency, &o.Total.Minor, &placed); err != nil {
			return nil, fmt.Errorf("store: recent orders: %w", err)
		}
		o.PlacedAt = placed.T
		out = append(out, o)
	}
	return out, rows.Err()
}

// OrderCustomer is the customer (external id) an order is of; ENOTFOUND
// for no such order.
func (db *DB) OrderCustomer(ctx context.Context, orderRef string) (string, error) {
	var ref string
	err := db.read.QueryRowContext(ctx, `SELECT c.external_id FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE o.external_id = $1`, orderRef).Scan(&ref)
	return ref, notFound(err, "no order %q", orderRef)
}

// StaffRef is a staff member's external id.
func (db *DB) StaffRef(ctx context.Context, id int64) (string, error) {
	var ref string
	err := db.read.QueryRowContext(ctx, `SELECT external_id FROM staff WHERE id = $1`, id).Scan(&ref)
	return ref, notFound(err, "no staff member %d", id)
}

// TicketFact is one ticket as the desk's measures read it.
type TicketFact struct {
	Agent, Team, Channel, Cause string
	Month                       string // opened, YYYY-MM (UTC)
	Opened, FirstResponse       time.Time
	Resolved                    time.Time
	FirstResponseDue            time.Time
	ResolutionDue               time.Time
	Replies                     int     // agent replies in the thread
	CSAT                        float64 // the mean CSAT answer about it; 0: none
	CSATAnswers                 int
}

// TicketFacts streams the tickets opened in [from, to) to fn.
func (db *DB) TicketFacts(ctx context.Context, from, to time.Time, fn func(TicketFact) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(st.name, ''), COALESCE(tm.name, ''), t.channel, t.root_cause, t.opened_at,
		t.first_response_at, t.resolved_at, t.first_response_due_at, t.resolution_due_at,
		(SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket_id = t.id AND m.author = 'agent'),
		COALESCE((SELECT AVG(r.score) FROM survey_responses r WHERE r.ticket_id = t.id AND r.kind = 'csat'), 0),
		(SELECT COUNT(*) FROM survey_responses r WHERE r.ticket_id = t.id AND r.kind = 'csat')
		FROM tickets t LEFT JOIN staff st ON st.id = t.assignee_id LEFT JOIN teams tm ON tm.id = COALESCE(t.team_id, st.team_id)
		WHERE t.opened_at >= $1 AND t.opened_at < $2 AND t.merged_into_id IS NULL ORDER BY t.id`, from.UTC(), to.UTC())
	if err != nil {
		return fmt.Errorf("store: ticket facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f TicketFact
		var opened, first, resolved, frDue, resDue nullTime
		if err := rows.Scan(&f.Agent, &f.Team, &f.Channel, &f.Cause, &opened, &first, &resolved, &frDue, &resDue, &f.Replies, &f.CSAT,
			&f.CSATAnswers); err != nil {
			return fmt.Errorf("store: ticket facts: %w", err)
		}
		f.Opened, f.FirstResponse, f.Resolved, f.FirstResponseDue, f.ResolutionDue = opened.T, first.T, resolved.T, frDue.T, resDue.T
		f.Month = f.Opened.UTC().Format("2006-01")
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DeskAgent is an agent a new ticket may go to, with what the assignment
// rules weigh.
type DeskAgent struct {
	ID           int64
	Ref, Locale  string
	Open         int       // tickets assigned and not resolved or closed
	LastAssigned time.Time // when they last got one (the latest opened)
}

// DeskAgents are the active agents and managers who can sign in,
// optionally of one team (by name), with their open tickets.
func (tx *Tx) DeskAgents(ctx context.Context, team string) ([]DeskAgent, error) {
	rows, err := tx.query(ctx, `SELECT s.id, s.external_id, s.locale,
		(SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = s.id AND t.status NOT IN ('resolved', 'closed')),
		(SELECT MAX(t.opened_at) FROM tickets t WHERE t.assignee_id = s.id)
		FROM staff s LEFT JOIN teams tm ON tm.id = s.team_id
		WHERE s.active AND s.can_login AND s.role IN ('agent', 'manager') AND ($1 = '' OR tm.name = $1) ORDER BY s.id`, team)
	if err != nil {
		return nil, fmt.Errorf("store: desk agents: %w", err)
	}
	defer rows.Close()
	var out []DeskAgent
	for rows.Next() {
		var a DeskAgent
		var last nullTime
		if err := rows.Scan(&a.ID, &a.Ref, &a.Locale, &a.Open, &last); err != nil {
			return nil, fmt.Errorf("store: desk agents: %w", err)
		}
		a.LastAssigned = last.T
		out = append(out, a)
	}
	return out, rows.Err()
}

// Lead is a staff member an SLA warning escalates to.
type Lead struct {
	ID     int64
	Locale string
}

// TeamLeads are who a ticket's SLA warnings escalate to: the active
// managers of its team (its own, else its assignee's), or every active
// manager when it has no team.
func (tx *Tx) TeamLeads(ctx context.Context, ticketID int64) ([]Lead, error) {
	rows, err := tx.query(ctx, `SELECT s.id, s.locale FROM staff s, tickets t LEFT JOIN staff a ON a.id = t.assignee_id
		WHERE t.id = $1 AND s.active AND s.can_login AND s.role = 'manager'
		  AND (COALESCE(t.team_id, a.team_id) IS NULL OR s.team_id = COALESCE(t.team_id, a.team_id))
		ORDER BY s.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: team leads: %w", err)
	}
	defer rows.Close()
	var out []Lead
	for rows.Next() {
		var l Lead
		if err := rows.Scan(&l.ID, &l.Locale); err != nil {
			return nil, fmt.Errorf("store: team leads: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SetWidgetToken gives a ticket the hash of its chat widget's token.
func (db *DB) SetWidgetToken(ctx context.Context, ticketRef, tokenHash string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE tickets SET widget_token = $2 WHERE external_id = $1`, ticketRef, tokenHash)
		return err
	})
}

// TicketByWidgetToken is the ticket a widget's token hash opens.
func (db *DB) TicketByWidgetToken(ctx context.Context, tokenHash string) (TicketRow, error) {
	if tokenHash == "" {
		return TicketRow{}, retain.Errorf(retain.ENOTFOUND, "no conversation")
	}
	t, err := scanTicket(db.read.QueryRowContext(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.widget_token = $1`, tokenHash))
	if err != nil {
		return t, notFound(err, "no conversation")
	}
	return t, nil
}
