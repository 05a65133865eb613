package web

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// The support desk's pages: the inbox of tickets by view (mine, my
// team's, unassigned, breaching soon, pending on the customer…) with
// counts, filters and bulk actions, and a ticket's page, its thread beside
// the customer's facts, with the reply form. Both refresh themselves
// (htmx polling) so a new message or a colleague's change shows without a
// reload, and the ticket page says who else has it open.

type deskData struct {
	Views   []string
	Counts  map[string]int
	View    string
	Tickets []store.TicketRow
	Query   url.Values
	Now     time.Time
	Soon    time.Time // due before this: breaching soon
	Owners  []store.Owner
	Notice  string
	Page    listPage
	// What the filters offer.
	Channels, Statuses, Priorities []string
	CanWork                        bool
}

// deskPageSize is how many tickets a page of the inbox shows.
const deskPageSize = 50

func (s *Server) deskInbox(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.deskInboxWith(w, r, v, "")
}

func (s *Server) deskInboxWith(w http.ResponseWriter, r *http.Request, v *view, notice string) error {
	ctx, q := r.Context(), r.URL.Query()
	view := q.Get("view")
	if !slices.Contains(store.TicketViews, view) {
		view = "open"
	}
	counts, err := s.db.TicketCounts(ctx, v.Actor.ID, v.Actor.TeamID, time.Hour)
	if err != nil {
		return err
	}
	page := pageOf(q, "page", counts[view])
	if q.Get("channel") != "" || q.Get("q") != "" || q.Get("status") != "" || q.Get("tag") != "" {
		page = max(1, min(page, 1000)) // filtered: the view's count is an upper bound
	}
	f := store.TicketFilter{View: view, StaffID: v.Actor.ID, TeamID: v.Actor.TeamID, Channel: pick(q.Get("channel"), retain.TicketChannels),
		Status: pick(q.Get("status"), retain.TicketStatuses), Query: q.Get("q"), Tag: strings.ToLower(strings.TrimSpace(q.Get("tag"))), Sort: pick(q.Get("sort"), []string{"due", "opened", "-opened", "-updated"}),
		Limit: deskPageSize, Offset: (page - 1) * deskPageSize}
	d := deskData{Views: store.TicketViews, Counts: counts, View: view, Query: q, Now: s.db.Now(), Soon: s.db.Now().Add(time.Hour), Notice: notice,
		Channels: retain.TicketChannels, Statuses: retain.TicketStatuses, Priorities: retain.TicketPriorities, CanWork: v.Actor.Can(retain.PermTicketsWork)}
	if d.Tickets, err = s.db.Tickets(ctx, f); err != nil {
		return err
	}
	d.Page.set(q, "page", page, counts[view], len(d.Tickets))
	d.Page.PrevHref, d.Page.NextHref = deskLink(d.Page.PrevHref), deskLink(d.Page.NextHref)
	if d.Owners, err = s.db.Owners(ctx); err != nil {
		return err
	}
	v.Title, v.Data = v.L.T("nav.desk"), d
	s.render(w, "desk", v)
	return nil
}

// deskLink moves a pager link made for the work inbox to the desk's.
func deskLink(href string) string {
	if href == "" {
		return ""
	}
	return "/desk" + href[len("/inbox"):]
}

// pick is v when it is one of allowed, else "" (a hand-edited query is
// no filter rather than an error page).
func pick(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return ""
}

// deskBulk applies one change to the tickets ticked on the inbox.
func (s *Server) deskBulk(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return problem(v, http.StatusBadRequest, "error.invalid")
	}
	var change core.TicketChange
	switch r.FormValue("action") {
	case "assign":
		change.Assignee, _ = strconv.ParseInt(r.FormValue("owner"), 10, 64)
	case "resolve":
		change.Status = "resolved"
	case "close":
		change.Status = "closed"
	case "urgent", "high", "normal", "low":
		change.Priority = r.FormValue("action")
	default:
		return problem(v, http.StatusBadRequest, "desk.bulk_unknown")
	}
	done := 0
	for _, raw := range r.Form["ticket"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return problem(v, http.StatusBadRequest, "error.invalid")
		}
		if err := s.work().UpdateTicket(r.Context(), v.Actor, id, change); err != nil {
			return workForm(v, err, "desk.bulk_failed")
		}
		done++
	}
	return s.deskInboxWith(w, r, v, v.L.N("desk.bulk_done", int64(done)))
}

// viewing is who has which ticket open, for the collision notice. It is
// this process's: several serve processes each know their own viewers.
type viewing struct {
	mu   sync.Mutex
	seen map[int64]map[int64]viewer // ticket → staff id → when
}

type viewer struct {
	Name string
	At   time.Time
}

// viewerTTL is how long an open ticket page counts as open: its poll
// renews it every few seconds.
const viewerTTL = 30 * time.Second

// see records that staff has ticket open and returns the others who do.
func (vw *viewing) see(ticket, staff int64, name string, now time.Time) []string {
	vw.mu.Lock()
	defer vw.mu.Unlock()
	if vw.seen == nil {
		vw.seen = map[int64]map[int64]viewer{}
	}
	for t, m := range vw.seen { // forget the stale, so the map stays small
		for id, x := range m {
			if now.Sub(x.At) > viewerTTL {
				delete(m, id)
			}
		}
		if len(m) == 0 {
			delete(vw.seen, t)
		}
	}
	m := vw.seen[ticket]
	if m == nil {
		m = map[int64]viewer{}
		vw.seen[ticket] = m
	}
	m[staff] = viewer{Name: name, At: now}
	var others []string
	for id, x := range m {
		if id != staff {
			others = append(others, x.Name)
		}
	}
	slices.Sort(others)
	return others
}

type ticketData struct {
	Ticket   store.TicketRow
	Thread   []store.ThreadMessage
	Facts    store.Facts
	Alerts   int
	Others   []store.TicketRow // the customer's other tickets
	Viewers  []string
	Owners   []store.Owner
	Now      time.Time
	CanWork  bool
	Statuses []string
	// Options of the forms.
	Priorities, Causes []string
	Sends              bool // replies go out on this channel (else the thread only)
	Canned             []core.CannedReply
	Files              map[string][]store.AttachmentInfo // by message
	Teams              []store.Team
	Orders             []store.OrderBrief // the customer's latest, to link
	Nonce              string             // the reply form's, so a form sent twice is one reply
	Points             store.LoyaltyAccount
	MergeInto          []store.TicketRow // the customer's other tickets it can merge into
}

func (s *Server) deskTicket(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := s.db.Ticket(ctx, id)
	if err != nil {
		return err
	}
	d := ticketData{Ticket: t, Now: s.db.Now(), CanWork: v.Actor.Can(retain.PermTicketsWork), Statuses: retain.TicketStatuses,
		Priorities: retain.TicketPriorities, Causes: retain.RootCauses,
		Sends: core.SendsOn(t.Channel)}
	if d.Thread, err = s.db.Thread(ctx, id); err != nil {
		return err
	}
	if d.Files, err = s.db.Attachments(ctx, id); err != nil {
		return err
	}
	if d.Facts, err = s.db.CustomerFacts(ctx, t.CustomerID); err != nil {
		return err
	}
	if d.Alerts, err = s.db.CountAlerts(ctx, store.AlertFilter{CustomerID: t.CustomerID}); err != nil {
		return err
	}
	if d.Points, err = s.db.LoyaltyAccount(ctx, t.CustomerID); err != nil {
		return err
	}
	others, err := s.db.Tickets(ctx, store.TicketFilter{View: "all", CustomerID: t.CustomerID, Sort: "-opened", Limit: 10})
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.ID != t.ID {
			d.Others = append(d.Others, o)
		}
	}
	if d.Owners, err = s.db.Owners(ctx); err != nil {
		return err
	}
	if d.Canned, err = core.CannedReplies(ctx, s.db, t, v.L.Lang); err != nil {
		return err
	}
	if d.Teams, err = s.db.TeamList(ctx); err != nil {
		return err
	}
	var nonce [12]byte
	rand.Read(nonce[:]) // never fails (crypto/rand)
	d.Nonce = hex.EncodeToString(nonce[:])
	if d.Orders, err = s.db.RecentOrders(ctx, t.CustomerID, 20); err != nil {
		return err
	}
	for _, o := range d.Others {
		if o.Status != "closed" && o.MergedIntoID == 0 {
			d.MergeInto = append(d.MergeInto, o)
		}
	}
	d.Viewers = s.viewing.see(id, v.Actor.ID, v.Staff.Name, time.Now())
	v.Title, v.Data = t.Subject, d
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("part") == "live" {
		return s.renderPart(w, "ticket", "ticket-live", v)
	}
	s.render(w, "ticket", v)
	return nil
}

// deskReply posts an agent's reply or note, with the status chosen.
func (s *Server) deskReply(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	change := core.TicketChange{Status: pick(r.FormValue("status"), retain.TicketStatuses)}
	body := r.FormValue("body")
	if strings.TrimSpace(body) == "" && r.FormValue("canned") != "" { // chosen without JavaScript: the server fills it in
		if body, err = core.CannedText(r.Context(), s.db, id, r.FormValue("canned")); err != nil {
			return workForm(v, err, "desk.reply_empty")
		}
	}
	note, work := r.FormValue("note") == "1", s.work()
	if nonce := r.FormValue("nonce"); nonce != "" { // the form's: sent twice (a double tap), it is one reply
		err = work.ReplyTicketOnce(r.Context(), v.Actor, id, nonce, body, note, change)
	} else {
		err = work.ReplyTicket(r.Context(), v.Actor, id, body, note, change)
	}
	if err != nil {
		return workForm(v, err, "desk.reply_empty")
	}
	http.Redirect(w, r, fmt.Sprintf("/desk/tickets/%d", id), http.StatusSeeOther)
	return nil
}

// deskUpdate changes a ticket's status, priority, cause or assignee.
func (s *Server) deskUpdate(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	change := core.TicketChange{Status: r.FormValue("status"), Priority: r.FormValue("priority"), RootCause: r.FormValue("root_cause")}
	if _, ok := r.Form["tags"]; ok { // the full form; a form without the field leaves them
		tags, team, order := retain.NormalizeTags(r.FormValue("tags")), r.FormValue("team"), r.FormValue("order")
		change.Tags, change.Team, change.Order = &tags, &team, &order
	}
	switch owner := r.FormValue("assignee"); owner {
	case "":
	case "none":
		change.Unassign = true
	default:
		if change.Assignee, err = strconv.ParseInt(owner, 10, 64); err != nil {
			return problem(v, http.StatusBadRequest, "desk.bulk_failed")
		}
	}
	if err := s.work().UpdateTicket(r.Context(), v.Actor, id, change); err != nil {
		return workForm(v, err, "desk.bulk_failed")
	}
	http.Redirect(w, r, fmt.Sprintf("/desk/tickets/%d", id), http.StatusSeeOther)
	return nil
}

// deskNewData is the form that logs a call or a visit.
type deskNewData struct {
	Channels, Priorities         []string
	Channel, Priority            string
	Customer, CustomerName       string // from the customer's page
	Contact, Name, Subject, Text string
	Problem                      string
}

// loggedChannels are the channels a staff member logs, what happens in
// person first.
var loggedChannels = []string{"phone", "in_store", "whatsapp", "sms", "email", "messenger", "web"}

// deskNew shows the form; from a customer's page (?customer=ID) it is theirs.
func (s *Server) deskNew(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderDeskNew(w, r, v, deskNewData{Customer: r.URL.Query().Get("customer")}, http.StatusOK)
}

func (s *Server) renderDeskNew(w http.ResponseWriter, r *http.Request, v *view, d deskNewData, status int) error {
	d.Channels, d.Priorities = loggedChannels, retain.TicketPriorities
	if d.Customer != "" {
		c, err := s.db.GetCustomer(r.Context(), d.Customer)
		if err != nil {
			return err
		}
		d.CustomerName = cmp.Or(c.Name, c.Phone, c.Email, c.ExternalID)
	}
	v.Title, v.Data = v.L.T("desk.log_title"), d
	s.renderStatus(w, status, "desk_new", v)
	return nil
}

// deskLog records the call or visit and shows its ticket.
func (s *Server) deskLog(w http.ResponseWriter, r *http.Request, v *view) error {
	d := deskNewData{Channel: pick(r.FormValue("channel"), loggedChannels), Customer: r.FormValue("customer"), Contact: r.FormValue("contact"),
		Name: r.FormValue("name"), Subject: r.FormValue("subject"), Text: r.FormValue("text"), Priority: r.FormValue("priority")}
	if d.Channel == "" {
		d.Channel = "phone"
	}
	ref, err := s.work().LogTicket(r.Context(), v.Actor, core.LoggedContact{Channel: d.Channel, Customer: d.Customer, Contact: d.Contact,
		Name: d.Name, Subject: d.Subject, Text: d.Text, Priority: d.Priority})
	var e *retain.Error
	if errors.As(err, &e) && e.Code == retain.EINVALID {
		d.Problem = v.Problems(e.Fields)
		return s.renderDeskNew(w, r, v, d, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	return s.toTicket(w, r, ref)
}

// toTicket sends the browser to the page of the ticket with that external id.
func (s *Server) toTicket(w http.ResponseWriter, r *http.Request, ref string) error {
	t, err := s.db.TicketByRef(r.Context(), ref)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/desk/tickets/%d", t.ID), http.StatusSeeOther)
	return nil
}

// deskMerge merges the ticket into another of the customer's, then shows
// that one (where the thread now is).
func (s *Server) deskMerge(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	into, err := strconv.ParseInt(r.FormValue("into"), 10, 64)
	if err != nil {
		return problem(v, http.StatusBadRequest, "desk.merge_pick")
	}
	if err := s.work().MergeTicket(r.Context(), v.Actor, id, into); err != nil {
		return workForm(v, err, "desk.merge_failed")
	}
	http.Redirect(w, r, fmt.Sprintf("/desk/tickets/%d", into), http.StatusSeeOther)
	return nil
}

// deskSplit moves a message and those after it to a new ticket, and shows it.
func (s *Server) deskSplit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	msg, err := strconv.ParseInt(r.FormValue("message"), 10, 64)
	if err != nil {
		return problem(v, http.StatusBadRequest, "desk.split_failed")
	}
	ref, err := s.work().SplitTicket(r.Context(), v.Actor, id, msg)
	if err != nil {
		return workForm(v, err, "desk.split_failed")
	}
	return s.toTicket(w, r, ref)
}

// deskAttachment downloads a file that came with a customer's e-mail. It
// is always a download (never shown inline), so a file cannot run as a
// page of this site.
func (s *Server) deskAttachment(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, data, err := s.db.Attachment(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(data)
	return err
}
