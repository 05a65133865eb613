package core

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/desk"
	"github.com/retainhq/retain/internal/store"
)

// The support desk (docs/desk.md). A customer's message on any channel
// continues their open conversation on that channel or opens a ticket;
// agents answer in the thread, and their replies go out on the ticket's
// channel through the outbox; SLA clocks on the desk's business-hours
// calendar set each ticket's due times and warn before a breach. Every
// message and status change comes in through the one way in; the desk
// consumer reacts to them.

// DeskPolicy is the desk's policy in force: the saved one, else the default.
func DeskPolicy(ctx context.Context, db *store.DB) (desk.Policy, error) {
	v, ok, err := db.Setting(ctx, desk.SettingsKey)
	if err != nil || !ok {
		return desk.DefaultPolicy(), err
	}
	p := desk.DefaultPolicy()
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return desk.DefaultPolicy(), fmt.Errorf("desk settings: %w", err)
	}
	return p, nil
}

// SaveDeskPolicy checks and stores the desk's policy.
func SaveDeskPolicy(ctx context.Context, db *store.DB, by retain.Actor, p desk.Policy) error {
	if err := by.Require(retain.PermSettingsManage); err != nil {
		return err
	}
	if err := p.Check(); err != nil {
		field, why, _ := strings.Cut(err.Error(), ": ")
		return retain.FieldError(field, "%s", why)
	}
	if refs := p.Teams(); len(refs) > 0 {
		teams, err := db.TeamList(ctx)
		if err != nil {
			return err
		}
		for field, name := range refs {
			if !slices.ContainsFunc(teams, func(t store.Team) bool { return t.Name == name }) {
				return retain.FieldError(field, "no team %q", name)
			}
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return db.SaveSetting(ctx, by, desk.SettingsKey, string(b))
}

// Inbound is a customer's message arriving on a channel.
type Inbound struct {
	ID      string // unique per message: the gateway's or Meta's id
	Channel string // sms, whatsapp, email, messenger, web, chat
	Phone   string // E.164, for phone channels
	Email   string // normalised, for e-mail
	// Customer is the customer's external id when the channel knows them
	// by an id of its own (Messenger's page-scoped id: messenger:…); a
	// new one is created with Name.
	Customer string
	Name     string // what the channel calls the sender, for a new customer
	Subject  string
	Text     string
	At       time.Time
}

// subjectOf is a new ticket's subject from its first message: the first
// line, cut to whole letters.
func subjectOf(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return cutRunes(strings.TrimSpace(line), 120)
}

// cutRunes shortens s to at most n bytes of whole letters (Bengali and
// Devanagari are three bytes each).
func cutRunes(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// TakeInbound files a customer's message: the customer is whoever has
// that phone number or e-mail address (a new customer when no one has),
// and the message continues their latest conversation on the channel
// unless it is closed or was resolved more than the policy's reopen days
// ago; then it opens a ticket. It returns the ticket's external id. The
// same message id twice is one message.
func TakeInbound(ctx context.Context, db *store.DB, in Inbound) (string, error) {
	b, ticket, err := inboundBatch(ctx, db, in, "")
	if err != nil {
		return "", err
	}
	_, err = Ingest(ctx, db, retain.System("desk"), Rows(b))
	return ticket, err
}

// inboundBatch is the rows that file in: the customer when new, the
// ticket when the message opens one, the message. thread, when set, is
// the ticket it answers (an e-mail's In-Reply-To), unless that is closed.
func inboundBatch(ctx context.Context, db *store.DB, in Inbound, thread string) (*store.Batch, string, error) {
	p := retain.Problems{}
	if in.ID == "" {
		p.Add("id", "is required")
	}
	if !slices.Contains(retain.TicketChannels, in.Channel) {
		p.Add("channel", "%q is not one of %v", in.Channel, retain.TicketChannels)
	}
	if in.Phone == "" && in.Email == "" && in.Customer == "" {
		p.Add("from", "a phone number or an e-mail address is required")
	}
	if strings.TrimSpace(in.Text) == "" {
		p.Add("text", "is required")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	if in.At.IsZero() {
		in.At = db.Now()
	}
	in.Text = cutRunes(in.Text, retain.MaxTicketMessage)
	var refs []string
	var err error
	switch {
	case in.Customer != "":
		if _, gerr := db.GetCustomer(ctx, in.Customer); gerr == nil {
			refs = []string{in.Customer}
		} else if retain.ErrorCode(gerr) != retain.ENOTFOUND {
			err = gerr
		}
	case in.Phone != "":
		refs, err = db.CustomerRefsByPhone(ctx, in.Phone)
	default:
		refs, err = db.CustomerRefsByEmail(ctx, in.Email)
	}
	if err != nil {
		return nil, "", err
	}
	var b store.Batch
	customer := ""
	if len(refs) > 0 {
		customer = refs[0]
	} else {
		customer = or(in.Customer, "contact:"+in.Phone+in.Email)
		c := retain.Customer{ExternalID: customer, Name: cutRunes(in.Name, 300), Phone: in.Phone, Email: in.Email, FirstSeenAt: in.At}
		b.Customers = append(b.Customers, store.Row[retain.Customer]{V: c})
	}
	policy, err := DeskPolicy(ctx, db)
	if err != nil {
		return nil, "", err
	}
	ticket, ok := thread, thread != ""
	if !ok {
		if ticket, ok, err = db.ConversationFor(ctx, customer, in.Channel, in.At.AddDate(0, 0, -policy.ReopenDays)); err != nil {
			return nil, "", err
		}
	}
	if !ok {
		ticket = "in:" + in.ID
		subject := in.Subject
		if subject == "" {
			subject = subjectOf(in.Text)
		}
		b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: retain.Ticket{ExternalID: ticket, CustomerRef: customer,
			Channel: in.Channel, Subject: cutRunes(subject, 500), Status: "new", Priority: "normal", OpenedAt: in.At}})
	}
	b.TicketMessages = append(b.TicketMessages, store.Row[retain.TicketMessage]{V: retain.TicketMessage{ExternalID: "in:" + in.ID,
		TicketRef: ticket, Author: "customer", Channel: in.Channel, Body: in.Text, SentAt: in.At}})
	return &b, ticket, nil
}

// TicketChange is what an agent changes on a ticket; empty fields stay.
type TicketChange struct {
	Status, Priority, RootCause string
	Assignee                    int64 // staff id; 0: unchanged
	Unassign                    bool
	// Tags, Team (a team's name) and Order (an order's external id) change
	// when set; set to empty they clear.
	Tags        *[]string
	Team, Order *string
}

// ReplyTicket adds an agent's reply (sent to the customer on the ticket's
// channel) or internal note (never sent) to a ticket's thread, and
// applies change with it, in one transaction with its audit entry.
func (w Work) ReplyTicket(ctx context.Context, a retain.Actor, id int64, body string, note bool, change TicketChange) error {
	var key [8]byte
	rand.Read(key[:]) // never fails (crypto/rand)
	return w.ReplyTicketOnce(ctx, a, id, hex.EncodeToString(key[:]), body, note, change)
}

// ReplyTicketOnce is ReplyTicket with the caller's key for the reply: the
// same key on the same ticket is one reply (a form sent twice, a request
// retried), sent once.
func (w Work) ReplyTicketOnce(ctx context.Context, a retain.Actor, id int64, key, body string, note bool, change TicketChange) error {
	if err := a.Require(retain.PermTicketsWork); err != nil {
		return err
	}
	if key == "" || len(key) > 100 {
		return retain.FieldError("key", "is required, up to 100 characters")
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return retain.FieldError("body", "is required")
	}
	author, action := "agent", "ticket.reply"
	if note {
		author, action = "note", "ticket.note"
	}
	return w.changeTicket(ctx, a, id, change, action, func(t store.TicketRow, staff string, b *store.Batch) {
		channel := t.Channel
		if note {
			channel = ""
		}
		b.TicketMessages = append(b.TicketMessages, store.Row[retain.TicketMessage]{V: retain.TicketMessage{
			ExternalID: fmt.Sprintf("%s:%s:%s", author, t.ExternalID, key), TicketRef: t.ExternalID, Author: author,
			StaffRef: staff, Channel: channel, Body: body, SentAt: w.DB.Now(), Deliver: !note && SendsOn(t.Channel)}})
	})
}

// UpdateTicket changes a ticket's status, priority, cause or assignee.
func (w Work) UpdateTicket(ctx context.Context, a retain.Actor, id int64, change TicketChange) error {
	if err := a.Require(retain.PermTicketsWork); err != nil {
		return err
	}
	return w.changeTicket(ctx, a, id, change, "ticket.update", nil)
}

// changeTicket applies change (and what more adds) to ticket id through
// the one way in, with the audit entry in the same transaction.
func (w Work) changeTicket(ctx context.Context, a retain.Actor, id int64, change TicketChange, action string,
	more func(t store.TicketRow, staff string, b *store.Batch)) error {
	t, err := w.DB.Ticket(ctx, id)
	if err != nil {
		return err
	}
	p := retain.Problems{}
	check := func(field, v string, allowed []string) {
		if v != "" && !slices.Contains(allowed, v) {
			p.Add(field, "%q is not one of %v", v, allowed)
		}
	}
	check("status", change.Status, retain.TicketStatuses)
	check("priority", change.Priority, retain.TicketPriorities)
	check("root_cause", change.RootCause, retain.RootCauses)
	if err := p.Err(); err != nil {
		return err
	}
	staff, err := w.DB.StaffRef(ctx, a.ID)
	if err != nil && a.Kind == retain.ActorStaff {
		return err
	}
	assignee := t.AssigneeRef
	if change.Unassign {
		assignee = ""
	} else if change.Assignee != 0 {
		if err := w.assignable(ctx, change.Assignee); err != nil {
			return retain.FieldError("assignee", "no active agent or manager %d", change.Assignee)
		}
		if assignee, err = w.DB.StaffRef(ctx, change.Assignee); err != nil {
			return err
		}
	}
	if assignee == "" && action == "ticket.reply" && staff != "" {
		assignee = staff // whoever answers an unassigned ticket takes it
	}
	next := ticketOf(t)
	next.Status, next.Priority, next.AssigneeRef = or(change.Status, t.Status), or(change.Priority, t.Priority), assignee
	next.RootCause = or(change.RootCause, t.RootCause)
	clear, err := w.ticketLinks(ctx, t, change, &next)
	if err != nil {
		return err
	}
	if change.Unassign {
		clear = append(clear, store.TicketAssignee)
	}
	if next.Status == "new" && more != nil && action == "ticket.reply" {
		next.Status = "open" // answered: no longer new, unless the agent chose a status
	}
	if (next.Status == "resolved" || next.Status == "closed") && t.Open() {
		next.ResolvedAt = w.DB.Now()
	}
	var b store.Batch
	b.Tickets = append(b.Tickets, store.Row[retain.Ticket]{V: next})
	if more != nil {
		more(t, staff, &b)
	}
	detail := fmt.Sprintf("status=%s priority=%s assignee=%s", next.Status, next.Priority, next.AssigneeRef)
	in := Rows(&b)
	in.With = func(tx *store.Tx) error {
		if err := tx.ClearTicket(ctx, t.ID, clear...); err != nil {
			return err
		}
		return tx.Audit(ctx, a, action, fmt.Sprintf("ticket:%d", t.ID), detail)
	}
	// The staff member's permission was checked above; the desk writes.
	_, err = Ingest(ctx, w.DB, retain.System("desk"), in)
	return err
}

// ticketLinks applies the change's tags, team and order to next, checking
// each (the team exists, the order is the customer's), and returns the
// links to clear.
func (w Work) ticketLinks(ctx context.Context, t store.TicketRow, change TicketChange, next *retain.Ticket) ([]string, error) {
	var clear []string
	if change.Tags != nil {
		next.Tags = *change.Tags
		if why, bad := next.Validate()["tags"]; bad {
			return nil, (retain.Problems{"tags": why}).Err()
		}
	}
	if change.Team != nil {
		if name := strings.TrimSpace(*change.Team); name == "" {
			clear = append(clear, store.TicketTeam)
		} else {
			teams, err := w.DB.TeamList(ctx)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(teams, func(tm store.Team) bool { return tm.Name == name }) {
				return nil, retain.FieldError("team", "no team %q", name)
			}
			next.Team = name
		}
	}
	if change.Order != nil {
		if ref := strings.TrimSpace(*change.Order); ref == "" {
			clear = append(clear, store.TicketOrder)
		} else {
			owner, err := w.DB.OrderCustomer(ctx, ref)
			if retain.ErrorCode(err) == retain.ENOTFOUND {
				return nil, retain.FieldError("order_id", "no order %q", ref)
			}
			if err != nil {
				return nil, err
			}
			if owner != t.CustomerRef {
				return nil, retain.FieldError("order_id", "order %q is another customer's", ref)
			}
			next.OrderRef = ref
		}
	}
	return clear, nil
}

// DeskTicket is a ticket as the API and the CLI show it.
type DeskTicket struct {
	ID               string     `json:"id" doc:"The ticket's external id."`
	Subject          string     `json:"subject"`
	Channel          string     `json:"channel"`
	Status           string     `json:"status" enum:"new,open,pending,on_hold,resolved,closed"`
	Priority         string     `json:"priority" enum:"low,normal,high,urgent"`
	RootCause        string     `json:"root_cause,omitempty"`
	Customer         string     `json:"customer_id" doc:"The customer's external id."`
	CustomerName     string     `json:"customer_name,omitempty"`
	Assignee         string     `json:"assignee,omitempty" doc:"The assigned staff member's name."`
	OpenedAt         time.Time  `json:"opened_at"`
	FirstResponseAt  *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	FirstResponseDue *time.Time `json:"first_response_due_at,omitempty" doc:"While no agent has answered."`
	NextResponseDue  *time.Time `json:"next_response_due_at,omitempty" doc:"While the customer's latest message is unanswered."`
	ResolutionDue    *time.Time `json:"resolution_due_at,omitempty"`
	Paused           bool       `json:"paused" doc:"The SLA clock stands still: the ticket waits on the customer."`
	Messages         int        `json:"messages"`
	Tags             []string   `json:"tags"`
	Team             string     `json:"team,omitempty"`
	Order            string     `json:"order_id,omitempty" doc:"The linked order's external id."`
	MergedInto       string     `json:"merged_into,omitempty" doc:"The ticket (external id) this one was merged into; its thread is there."`
}

// DeskMessage is one message of a ticket's thread.
type DeskMessage struct {
	ID       int64      `json:"id" doc:"The message's id: where a split starts."`
	Author   string     `json:"author" enum:"customer,agent,note,system"`
	Staff    string     `json:"staff,omitempty"`
	Channel  string     `json:"channel,omitempty"`
	Body     string     `json:"body"`
	SentAt   time.Time  `json:"sent_at"`
	Delivery string     `json:"delivery,omitempty" doc:"An agent's reply: its outbox status (queued, sent, delivered, failed…)."`
	Problem  string     `json:"delivery_problem,omitempty"`
	Recorded *time.Time `json:"delivery_recorded_at,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func deskTicket(t store.TicketRow) DeskTicket {
	return DeskTicket{ID: t.ExternalID, Subject: t.Subject, Channel: t.Channel, Status: t.Status, Priority: t.Priority, RootCause: t.RootCause,
		Customer: t.CustomerRef, CustomerName: t.CustomerName, Assignee: t.Assignee, OpenedAt: t.OpenedAt,
		FirstResponseAt: timePtr(t.FirstResponseAt), ResolvedAt: timePtr(t.ResolvedAt), FirstResponseDue: timePtr(t.FirstResponseDue),
		NextResponseDue: timePtr(t.NextResponse), ResolutionDue: timePtr(t.ResolutionDue), Paused: !t.PausedAt.IsZero(), Messages: t.Messages,
		Tags: t.Tags, Team: t.Team, Order: t.OrderRef, MergedInto: t.MergedInto}
}

// Tickets lists the tickets f selects ("mine" and "team" are the actor's).
func (w Work) Tickets(ctx context.Context, a retain.Actor, f store.TicketFilter) ([]DeskTicket, error) {
	if err := a.Require(retain.PermTicketsRead); err != nil {
		return nil, err
	}
	f.StaffID, f.TeamID = a.ID, a.TeamID
	if a.Kind != retain.ActorStaff {
		f.StaffID, f.TeamID = -1, -1 // an API key or the command line is nobody's "mine"
	}
	rows, err := w.DB.Tickets(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]DeskTicket, len(rows))
	for i, r := range rows {
		out[i] = deskTicket(r)
	}
	return out, nil
}

// TicketThread is a ticket, by external id, with its thread.
func (w Work) TicketThread(ctx context.Context, a retain.Actor, ref string) (DeskTicket, []DeskMessage, int64, error) {
	if err := a.Require(retain.PermTicketsRead); err != nil {
		return DeskTicket{}, nil, 0, err
	}
	t, err := w.DB.TicketByRef(ctx, ref)
	if err != nil {
		return DeskTicket{}, nil, 0, err
	}
	thread, err := w.DB.Thread(ctx, t.ID)
	if err != nil {
		return DeskTicket{}, nil, 0, err
	}
	msgs := make([]DeskMessage, len(thread))
	for i, m := range thread {
		msgs[i] = DeskMessage{ID: m.ID, Author: m.Author, Staff: m.Staff, Channel: m.Channel, Body: m.Body, SentAt: m.SentAt, Delivery: string(m.Delivery),
			Problem: m.DeliveryProblem, Recorded: timePtr(m.DeliveryRecorded)}
	}
	return deskTicket(t), msgs, t.ID, nil
}

// ticketOf is a stored ticket as an upsert that changes nothing: what a
// change to it starts from.
func ticketOf(t store.TicketRow) retain.Ticket {
	return retain.Ticket{ExternalID: t.ExternalID, CustomerRef: t.CustomerRef, Channel: t.Channel, Subject: t.Subject, Status: t.Status,
		Priority: t.Priority, AssigneeRef: t.AssigneeRef, RootCause: t.RootCause, OpenedAt: t.OpenedAt, FirstResponseAt: t.FirstResponseAt}
}

// CannedReply is a canned reply ready to insert: its title in the
// agent's language, its text filled in for the customer in theirs.
type CannedReply struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// CannedReplies are the desk's canned replies for a ticket.
func CannedReplies(ctx context.Context, db *store.DB, t store.TicketRow, agentLang string) ([]CannedReply, error) {
	p, err := DeskPolicy(ctx, db)
	if err != nil {
		return nil, err
	}
	facts, err := db.CustomerFacts(ctx, t.CustomerID)
	if err != nil {
		return nil, err
	}
	ms, err := MessagingSettings(ctx, db)
	if err != nil {
		return nil, err
	}
	locale := LocaleOf(facts.Locale)
	if facts.Name == "" { // a customer known by their number alone: "Dear customer", not their id
		facts.Name = map[string]string{"en": "customer", "bn": "গ্রাহক", "ne": "ग्राहक"}[locale]
	}
	subject := Subject{Facts: facts, Locale: locale, Business: ms.BusinessName, Now: db.Now()}
	out := make([]CannedReply, 0, len(p.Canned))
	for _, c := range p.Canned {
		out = append(out, CannedReply{Key: c.Key, Title: or(c.Title[agentLang], c.Title["en"]), Text: render(c.Body, subject)})
	}
	return out, nil
}

// CannedText is one canned reply's text for a ticket; a key the desk does
// not have is a problem with the field canned.
func CannedText(ctx context.Context, db *store.DB, ticketID int64, key string) (string, error) {
	t, err := db.Ticket(ctx, ticketID)
	if err != nil {
		return "", err
	}
	replies, err := CannedReplies(ctx, db, t, "en")
	if err != nil {
		return "", err
	}
	for _, c := range replies {
		if c.Key == key {
			return c.Text, nil
		}
	}
	return "", retain.FieldError("canned", "%q is not a canned reply of the desk", key)
}

// WidgetMessage is a visitor's message from the website's chat widget.
type WidgetMessage struct {
	Token   string // the conversation's, from an earlier message; "" for a first one
	Name    string
	Contact string // a phone number or an e-mail address
	Country string // of a number written without +code (BD, NP); default the business's
	Text    string
}

// WidgetLine is one line of a widget conversation as the visitor sees it:
// their messages and the agents' replies (never the notes).
type WidgetLine struct {
	Mine bool      `json:"mine"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// TakeWidget files a widget message: a first one opens (or continues) the
// visitor's chat conversation as any inbound message and returns a new
// token for the conversation; a later one, with the token, adds to that
// ticket. Problems name the form's fields.
func TakeWidget(ctx context.Context, db *store.DB, m WidgetMessage) (string, error) {
	in := Inbound{Channel: "chat", Name: strings.TrimSpace(m.Name), Text: strings.TrimSpace(m.Text), At: db.Now()}
	var id [16]byte
	rand.Read(id[:])
	in.ID = "widget:" + hex.EncodeToString(id[:8])
	if m.Token != "" {
		t, err := db.TicketByWidgetToken(ctx, widgetHash(m.Token))
		if err != nil {
			return "", retain.FieldError("token", "is not a conversation")
		}
		in.Customer = t.CustomerRef
		thread := t.ExternalID
		if t.Status == "closed" {
			thread = "" // closed for good: the visitor's next words open a ticket, which the token follows
		}
		b, ticket, err := inboundBatch(ctx, db, in, thread)
		if err != nil {
			return "", err
		}
		if _, err = Ingest(ctx, db, retain.System("widget"), Rows(b)); err != nil || ticket == t.ExternalID {
			return m.Token, err
		}
		if err := db.SetWidgetToken(ctx, t.ExternalID, ""); err != nil {
			return "", err
		}
		return m.Token, db.SetWidgetToken(ctx, ticket, widgetHash(m.Token))
	}
	if err := in.contact(ctx, db, m.Contact, m.Country); err != nil {
		return "", err
	}
	b, ticket, err := inboundBatch(ctx, db, in, "")
	if err != nil {
		return "", err
	}
	if _, err := Ingest(ctx, db, retain.System("widget"), Rows(b)); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(id[:])
	return token, db.SetWidgetToken(ctx, ticket, widgetHash(token))
}

// contact sets who a message from a form is from: the e-mail address or
// the mobile number (a number without +code is the country's, else the
// business's) the visitor typed. A problem names the field contact.
func (in *Inbound) contact(ctx context.Context, db *store.DB, contact, country string) error {
	contact = strings.TrimSpace(contact)
	if strings.Contains(contact, "@") {
		email, err := retain.NormalizeEmail(contact)
		if err != nil {
			return retain.FieldError("contact", "%v", err)
		}
		in.Email = email
		return nil
	}
	phone, err := retain.NormalizePhone(contact, cmp.Or(country, PhoneCountry(ctx, db)))
	if err != nil {
		return retain.FieldError("contact", "%v", err)
	}
	in.Phone = phone
	return nil
}

// ContactMessage is a visitor's message from the contact form.
type ContactMessage struct {
	Name, Contact, Country string // as WidgetMessage's
	Subject, Text          string
}

// TakeContact files a contact form's message as any inbound message on
// the channel web: it opens (or continues) the visitor's web conversation
// and returns the ticket's external id. Agents' replies go by e-mail or
// SMS to the contact given. Problems name the form's fields.
func TakeContact(ctx context.Context, db *store.DB, m ContactMessage) (string, error) {
	in := Inbound{Channel: "web", Name: strings.TrimSpace(m.Name), Subject: cutRunes(strings.TrimSpace(m.Subject), 200),
		Text: strings.TrimSpace(m.Text), At: db.Now()}
	var id [8]byte
	rand.Read(id[:]) // never fails (crypto/rand)
	in.ID = "form:" + hex.EncodeToString(id[:])
	if err := in.contact(ctx, db, m.Contact, m.Country); err != nil {
		return "", err
	}
	return TakeInbound(ctx, db, in)
}

// WidgetThread is a widget conversation, by its token.
func WidgetThread(ctx context.Context, db *store.DB, token string) ([]WidgetLine, error) {
	t, err := db.TicketByWidgetToken(ctx, widgetHash(token))
	if err != nil {
		return nil, err
	}
	thread, err := db.Thread(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := []WidgetLine{}
	for _, m := range thread {
		if m.Author == "customer" || m.Author == "agent" || (m.Author == "system" && m.Deliver) {
			out = append(out, WidgetLine{Mine: m.Author == "customer", Text: m.Body, At: m.SentAt})
		}
	}
	return out, nil
}

func widgetHash(token string) string {
	if token == "" {
		return ""
	}
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SendsOn reports whether an agent's reply on a ticket of this channel
// goes to the customer through the outbox. A chat reply is read in the
// website's widget instead; one on the phone or in the shop is a record.
func SendsOn(channel string) bool {
	return slices.Contains([]string{"sms", "whatsapp", "email", "messenger", "web"}, channel)
}

// PhoneCountry is the country of the business's phone numbers written
// without a +code, from its time zone: BD in Asia/Dhaka, NP in
// Asia/Kathmandu; "" elsewhere.
func PhoneCountry(ctx context.Context, db *store.DB) string {
	zone, err := BusinessZone(ctx, db)
	if err != nil {
		return ""
	}
	return map[string]string{"Asia/Dhaka": "BD", "Asia/Kathmandu": "NP", "Asia/Katmandu": "NP"}[zone.String()]
}
