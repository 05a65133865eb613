package web_test

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestDeskPages: a customer's WhatsApp message is on the desk's inbox;
// an agent opens it (a colleague with it open is named), replies, and the
// reply is in the thread with its delivery status; the ticket moves to
// resolved and out of the open view. A bad status is a 400, not a 500.
func TestDeskPages(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	ref, err := core.TakeInbound(ctx, s.db, core.Inbound{ID: "wamid.T1", Channel: "whatsapp", Phone: "+8801911000111", Name: "Karim",
		Text: "শার্টের সাইজ বদলাতে চাই", At: s.db.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.ConsumeDesk(ctx, s.db); err != nil {
		t.Fatal(err)
	}
	tk, err := s.db.TicketByRef(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	agent, other := s.client(t), s.client(t)
	agent.login("agent@shop.example", password)
	other.login("other@shop.example", password)
	code, page := agent.get("/desk?view=unassigned&q=" + url.QueryEscape("শার্ট"))
	if code != 200 || !strings.Contains(page, fmt.Sprintf(`href="/desk/tickets/%d"`, tk.ID)) || !strings.Contains(html.UnescapeString(page), "Karim") {
		t.Fatalf("the inbox: %d\n%s", code, page)
	}
	path := fmt.Sprintf("/desk/tickets/%d", tk.ID)
	// The customer's points beside the thread.
	if _, err := (core.Work{DB: s.db}).AdjustPoints(ctx, retain.System("test"), tk.CustomerRef, 40, "welcome", "welcome", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, page := agent.get(path); !strings.Contains(page, `id="ticket-points">40 loyalty points to spend`) {
		t.Errorf("no points beside the thread:\n%s", page)
	}
	other.get(path)
	_, page = agent.get(path)
	if _, viewers, ok := strings.Cut(page, `id="viewers">`); !ok || !strings.Contains(strings.SplitN(viewers, "</p>", 2)[0], "Other") {
		t.Errorf("the colleague with the ticket open is not named:\n%s", page)
	}
	if code, _ := agent.post(path+"/reply", url.Values{"body": {"অবশ্যই, কোন সাইজ লাগবে?"}, "status": {"pending"}}, ""); code != 303 {
		t.Fatalf("reply: %d", code)
	}
	// The same form sent twice (a double tap on a slow phone) is one reply.
	before, _ := s.db.Thread(ctx, tk.ID)
	nonce := regexp.MustCompile(`name="nonce" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if nonce == nil {
		t.Fatalf("no nonce on the reply form:\n%s", page)
	}
	for range 2 {
		if code, _ := agent.post(path+"/reply", url.Values{"body": {"একবারই"}, "nonce": {nonce[1]}}, ""); code != 303 {
			t.Fatalf("reply with a nonce: %d", code)
		}
	}
	if after, _ := s.db.Thread(ctx, tk.ID); len(after) != len(before)+1 {
		t.Errorf("a form sent twice: %d messages, want %d", len(after), len(before)+1)
	}
	if code, _ := agent.post(path+"/reply", url.Values{"body": {"  "}}, ""); code != 400 {
		t.Errorf("an empty reply: %d, want 400", code)
	}
	if code, _ := agent.post(path+"/reply", url.Values{"canned": {"nope"}}, ""); code != 400 {
		t.Errorf("an unknown canned reply: %d, want 400", code)
	}
	if code, _ := agent.post(path+"/reply", url.Values{"canned": {"order_number"}, "note": {"1"}}, ""); code != 303 {
		t.Errorf("a canned note without JavaScript: %d", code)
	}
	if thread, _ := s.db.Thread(ctx, tk.ID); !strings.Contains(thread[len(thread)-1].Body, "order number") {
		t.Errorf("the canned reply in the thread: %+v", thread[len(thread)-1])
	}
	if _, err := core.ConsumeDesk(ctx, s.db); err != nil {
		t.Fatal(err)
	}
	_, page = agent.get(path + "?part=live")
	page = html.UnescapeString(page)
	if !strings.Contains(page, "অবশ্যই, কোন সাইজ লাগবে?") || !strings.Contains(page, `data-delivery="queued"`) || !strings.Contains(page, `id="ticket-status"`) {
		t.Errorf("the thread after the reply:\n%s", page)
	}
	if code, _ := agent.post(path, url.Values{"status": {"gone"}}, ""); code != 400 {
		t.Errorf("a bad status: %d, want 400", code)
	}
	if code, _ := agent.post(path, url.Values{"status": {"resolved"}, "assignee": {fmt.Sprint(s.agentID)}}, ""); code != 303 {
		t.Fatalf("resolve: %d", code)
	}
	tk, _ = s.db.Ticket(ctx, tk.ID)
	if tk.Status != "resolved" || tk.AssigneeID != s.agentID {
		t.Errorf("after the update: %+v", tk)
	}
	if _, page := agent.get("/desk?view=open"); strings.Contains(page, fmt.Sprintf(`data-ticket="%d"`, tk.ID)) {
		t.Error("a resolved ticket is still in the open view")
	}
	// The counts add up: every ticket is still to do or done.
	counts, err := s.db.TicketCounts(ctx, 0, 0, 0)
	all, _ := s.db.Tickets(ctx, store.TicketFilter{View: "all", Limit: 500})
	done, _ := s.db.Tickets(ctx, store.TicketFilter{View: "resolved", Limit: 500})
	if err != nil || counts["all"] != len(all) || counts["resolved"] != len(done) || counts["all"] == counts["resolved"] {
		t.Errorf("counts %v, %d tickets, %d done (%v)", counts, len(all), len(done), err)
	}
	// Bulk: the view's tickets to a colleague.
	open, err := s.db.Tickets(ctx, store.TicketFilter{View: "open", Limit: 3})
	if err != nil || len(open) == 0 {
		t.Fatalf("the demo has no open tickets: %v", err)
	}
	form := url.Values{"action": {"assign"}, "owner": {fmt.Sprint(s.otherID)}}
	for _, o := range open {
		form.Add("ticket", fmt.Sprint(o.ID))
	}
	if code, page := agent.post("/desk/bulk", form, ""); code != 200 || !strings.Contains(page, `id="desk-notice"`) {
		t.Fatalf("bulk: %d\n%s", code, page)
	}
	for _, o := range open {
		if got, _ := s.db.Ticket(ctx, o.ID); got.AssigneeID != s.otherID {
			t.Errorf("ticket %d is assigned to %d, want %d", o.ID, got.AssigneeID, s.otherID)
		}
	}
}

// TestDeskMergeSplitPages: an agent tags a ticket from its page (the
// inbox filters by the tag), splits the customer's second subject into a
// ticket of its own, and merges it back; a bad tag is a 400 naming it.
func TestDeskMergeSplitPages(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	in := core.Inbound{ID: "wamid.M1", Channel: "whatsapp", Phone: "+8801911000222", Name: "Rupa", Text: "পার্সেল দেরি", At: s.db.Now()}
	ref, err := core.TakeInbound(ctx, s.db, in)
	if err != nil {
		t.Fatal(err)
	}
	in.ID, in.Text = "wamid.M2", "আর বিলটা ভুল"
	if _, err := core.TakeInbound(ctx, s.db, in); err != nil {
		t.Fatal(err)
	}
	tk, _ := s.db.TicketByRef(ctx, ref)
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	path := fmt.Sprintf("/desk/tickets/%d", tk.ID)
	if code, _ := agent.post(path, url.Values{"tags": {"Late Delivery, কুরিয়ার"}, "team": {""}, "order": {""}}, ""); code != 303 {
		t.Fatalf("tags: %d", code)
	}
	if _, page := agent.get("/desk?view=all&tag=late-delivery"); !strings.Contains(page, fmt.Sprintf(`data-ticket="%d"`, tk.ID)) ||
		!strings.Contains(page, "#কুরিয়ার") {
		t.Errorf("the inbox by tag:\n%s", page)
	}
	if code, page := agent.post(path, url.Values{"tags": {"a+b"}, "team": {""}, "order": {""}}, ""); code != 400 || !strings.Contains(html.UnescapeString(page), "(“a+b”)") {
		t.Errorf("a bad tag: %d\n%s", code, page)
	}
	thread, _ := s.db.Thread(ctx, tk.ID)
	_, page := agent.get(path)
	if strings.Contains(page, fmt.Sprintf(`data-split="%d"`, thread[0].ID)) || !strings.Contains(page, fmt.Sprintf(`data-split="%d"`, thread[1].ID)) {
		t.Errorf("split is offered from the second message on:\n%s", page)
	}
	code, _ := agent.post(path+"/split", url.Values{"message": {fmt.Sprint(thread[1].ID)}}, "")
	tickets, _ := s.db.Tickets(ctx, store.TicketFilter{View: "all", CustomerID: tk.CustomerID})
	if code != 303 || len(tickets) != 2 {
		t.Fatalf("split: %d, %d tickets", code, len(tickets))
	}
	split := tickets[0]
	if split.ID == tk.ID {
		split = tickets[1]
	}
	if _, page := agent.get(fmt.Sprintf("/desk/tickets/%d", split.ID)); !strings.Contains(page, `id="ticket-merge"`) {
		t.Errorf("the split ticket offers no merge:\n%s", page)
	}
	if code, _ := agent.post(fmt.Sprintf("/desk/tickets/%d/merge", split.ID), url.Values{"into": {fmt.Sprint(tk.ID)}}, ""); code != 303 {
		t.Fatalf("merge: %d", code)
	}
	if _, page := agent.get(fmt.Sprintf("/desk/tickets/%d", split.ID)); !strings.Contains(page, `id="merged-into"`) || strings.Contains(page, `id="reply-form"`) {
		t.Errorf("the merged ticket's page:\n%s", page)
	}
	if got, _ := s.db.Thread(ctx, tk.ID); len(got) != 2 {
		t.Errorf("merged back: %d messages, want 2", len(got))
	}
}

// TestDeskReportPage: the figures by channel for an agent, by agent only
// for a manager or admin, and the same as CSV.
func TestDeskReportPage(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	agent, admin := s.client(t), s.client(t)
	agent.login("agent@shop.example", password)
	admin.login("admin@shop.example", password)
	code, page := agent.get("/desk/report?by=channel&days=365")
	if code != 200 || !strings.Contains(page, `id="desk-report"`) || !strings.Contains(page, `class="total"`) {
		t.Fatalf("by channel: %d\n%s", code, page)
	}
	if code, _ := agent.get("/desk/report?by=agent"); code != 403 {
		t.Errorf("an agent's figures person by person: %d, want 403", code)
	}
	code, csv := admin.get("/desk/report.csv?by=agent&days=365")
	if code != 200 || !strings.HasPrefix(csv, "group,tickets,answered,resolved,first_response_p50_minutes") || !strings.Contains(csv, "\ntotal,") ||
		!strings.Contains(csv, "Farhana Akter") {
		t.Errorf("the CSV: %d\n%s", code, csv)
	}
}

// TestDeskSettingsForm: the policy saved from the form (Friday opened for
// the morning, a holiday, a target), a bad holiday refused in the
// reader's language with nothing saved.
func TestDeskSettingsForm(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	admin := s.client(t)
	admin.login("admin@shop.example", password)
	form := url.Values{"week": {"bangladesh"}, "time_zone": {"Asia/Dhaka"}, "hours_fri": {"10:00-13:00"}, "holidays": {"2026-12-16\n2026-12-25"},
		"warn_pct": {"75"}, "reopen_days": {"7"}, "pending_remind_days": {"2"}, "pending_close_days": {"5"},
		"template_name": {"support_reply"}, "template_language": {"bn"}}
	for _, key := range []string{"sun", "mon", "tue", "wed", "thu", "sat"} {
		form.Set("hours_"+key, "10:00-19:00")
	}
	for _, prio := range []string{"urgent", "high", "normal", "low"} {
		form.Set("first_"+prio, "60")
		form.Set("next_"+prio, "120")
		form.Set("resolution_"+prio, "600")
	}
	if code, page := admin.post("/desk/settings", form, ""); code != 200 || !strings.Contains(page, `id="desk-settings-notice"`) {
		t.Fatalf("save: %d\n%s", code, page)
	}
	p, err := core.DeskPolicy(ctx, s.db)
	if err != nil || p.Hours["fri"] != "10:00-13:00" || len(p.Hours) != 1 || len(p.Holidays) != 2 || p.WarnAt != 0.75 ||
		p.Targets["urgent"].FirstResponse != 60 || p.WhatsAppTemplate == nil || p.WhatsAppTemplate.Language != "bn" {
		t.Fatalf("the saved policy: %+v %v", p, err)
	}
	admin.post("/lang", url.Values{"lang": {"bn"}, "back": {"/desk/settings"}}, "")
	form.Set("holidays", "16 Dec")
	code, page := admin.post("/desk/settings", form, "")
	if code != 400 || !strings.Contains(html.UnescapeString(page), "একটি ছুটির দিন তারিখ নয়") {
		t.Errorf("a bad holiday: %d\n%s", code, page)
	}
	if p, _ := core.DeskPolicy(ctx, s.db); len(p.Holidays) != 2 {
		t.Errorf("the bad form changed the policy: %+v", p.Holidays)
	}
	// Other targets by channel and segment (a blank row is skipped), the
	// escalation off, Bangladesh's holidays added in Bengali.
	form.Set("holidays", "2026-12-16 বিজয় দিবস")
	form["rule_channel"] = []string{"whatsapp", "", ""}
	form["rule_segment"] = []string{"", "champions", ""}
	form["rule_priority"] = []string{"", "", ""}
	form["rule_first"] = []string{"30", "15", ""}
	form["rule_next"] = []string{"", "60", ""}
	form["rule_resolution"] = []string{"600", "", ""}
	form.Set("escalate", "none")
	form.Set("add_holidays", "bangladesh:2027")
	if code, page := admin.post("/desk/settings", form, ""); code != 200 || !strings.Contains(html.UnescapeString(page), "সরকারি ছুটি যোগ হয়েছে") {
		t.Fatalf("rules and holidays: %d\n%s", code, page)
	}
	p, _ = core.DeskPolicy(ctx, s.db)
	if len(p.Rules) != 2 || p.Rules[0].Channel != "whatsapp" || p.Rules[0].FirstResponse != 30 || p.Rules[0].NextResponse != 0 ||
		p.Rules[1].Segment != "champions" || p.Rules[1].NextResponse != 60 || p.Escalate != "none" {
		t.Errorf("the rules: %+v, escalate %q", p.Rules, p.Escalate)
	}
	if len(p.Holidays) < 10 || p.Holidays[0] != "2026-12-16 বিজয় দিবস" || !slices.Contains(p.Holidays, "2027-12-16 বিজয় দিবস") {
		t.Errorf("the holidays: %q", p.Holidays)
	}
	if _, page := admin.get("/desk/settings"); !strings.Contains(page, `name="rule_first" value="30"`) {
		t.Errorf("the form does not show the rules:\n%s", page)
	}
	form.Del("add_holidays")
	form["rule_first"] = []string{"soon", "15", ""}
	if code, _ := admin.post("/desk/settings", form, ""); code != 400 {
		t.Errorf("a rule's bad minutes: %d", code)
	}
	form["rule_first"] = []string{"30", "15", ""}
	if _, err := s.db.SaveTeam(ctx, retain.System("test"), 0, "Online"); err != nil {
		t.Fatal(err)
	}
	form.Set("team_email", "Online")
	if code, _ := admin.post("/desk/settings", form, ""); code != 200 {
		t.Errorf("a channel's team: %d", code)
	}
	if p, _ := core.DeskPolicy(ctx, s.db); p.ChannelTeams["email"] != "Online" || len(p.ChannelTeams) != 1 {
		t.Errorf("the channels' teams: %v", p.ChannelTeams)
	}
	// The Online team keeps Nepal's week in Kathmandu; another team the desk's.
	_, page = admin.get("/desk/settings")
	idx := regexp.MustCompile(`name="team_(\d+)_name" value="Online"`).FindStringSubmatch(page)
	if idx == nil {
		t.Fatalf("no hours for the Online team:\n%s", page)
	}
	form.Set("team_"+idx[1]+"_name", "Online")
	form.Set("team_"+idx[1]+"_own", "1")
	form.Set("team_"+idx[1]+"_week", "nepal")
	form.Set("team_"+idx[1]+"_zone", "Asia/Kathmandu")
	for _, key := range []string{"sun", "mon", "tue", "wed", "thu", "fri"} {
		form.Set("team_"+idx[1]+"_hours_"+key, "10:00-18:00")
	}
	form.Set("team_"+idx[1]+"_hours_sat", "")
	if code, _ := admin.post("/desk/settings", form, ""); code != 200 {
		t.Errorf("a team's hours: %d", code)
	}
	if p, _ := core.DeskPolicy(ctx, s.db); p.TeamHours["Online"].Week != "nepal" || p.TeamHours["Online"].TimeZone != "Asia/Kathmandu" ||
		len(p.TeamHours["Online"].Hours) != 0 || len(p.TeamHours) != 1 {
		t.Errorf("the team hours: %+v", p.TeamHours)
	}
	form.Set("team_"+idx[1]+"_zone", "Mars/Olympus")
	if code, page := admin.post("/desk/settings", form, ""); code != 400 || !strings.Contains(html.UnescapeString(page), "দলের সময় ঠিক নেই") {
		t.Errorf("a team's bad zone: %d", code)
	}
	form.Set("team_"+idx[1]+"_zone", "Asia/Kathmandu")
	form.Set("assign_team", "Nowhere")
	if code, page := admin.post("/desk/settings", form, ""); code != 400 || !strings.Contains(html.UnescapeString(page), "দল নেই") {
		t.Errorf("an unknown team: %d", code)
	}
}

// TestDeskMailAttachment: a customer's e-mail with a photo: the ticket
// page lists it and it downloads as an attachment, never inline.
func TestDeskMailAttachment(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	raw := "From: Gita <gita@example.com>\r\nSubject: torn box\r\nMessage-ID: <p1@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n" +
		"--B\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"box.html\"\r\n\r\n<script>alert(1)</script>\r\n--B--\r\n"
	ref, err := core.TakeMail(ctx, s.db, []byte(raw), "x")
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := s.db.TicketByRef(ctx, ref)
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	_, page := agent.get(fmt.Sprintf("/desk/tickets/%d", tk.ID))
	m := regexp.MustCompile(`href="(/desk/attachments/\d+)" download>📎 box.html`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the attachment is not on the ticket page:\n%s", page)
	}
	resp, err := agent.http.Get(s.srv.URL + m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || string(body) != "<script>alert(1)</script>" {
		t.Errorf("download: %d %v %q", resp.StatusCode, resp.Header, body)
	}
}

// TestWidgetEndpoints: bad input is a 400 naming the field with the
// problem's key (the script says it in the visitor's language), an
// unknown conversation a 404, a flood from one address a 429; answers
// carry no cookie and allow any origin.
func TestWidgetEndpoints(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	post := func(body string) (int, string, http.Header) {
		t.Helper()
		resp, err := http.Post(s.srv.URL+"/widget/messages", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, h := post(`{"name":"Ram","contact":"not a number","text":"hi"}`)
	if code != 400 || !strings.Contains(body, `"problem":"bad_contact"`) || !strings.Contains(body, `"field":"contact"`) ||
		h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Set-Cookie") != "" {
		t.Errorf("a bad contact: %d %s %v", code, body, h)
	}
	if code, body, _ := post(`{"contact":"+9779801234567","text":"  "}`); code != 400 || !strings.Contains(body, `"problem":"bad_text"`) {
		t.Errorf("no text: %d %s", code, body)
	}
	if code, body, _ := post(`{"token":"nope","text":"again"}`); code != 400 || !strings.Contains(body, `"field":"token"`) {
		t.Errorf("an unknown token: %d %s", code, body)
	}
	resp, err := http.Get(s.srv.URL + "/widget/messages?token=nope")
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("reading an unknown conversation: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	limited := false
	for range 12 {
		if code, _, _ := post(`{"contact":"+9779801234567","text":"hello"}`); code == 429 {
			limited = true
		}
	}
	if !limited {
		t.Error("twelve messages a minute from one address were all taken")
	}
	// A conversation closed for good: the visitor writing again opens a
	// ticket the agents see, and the token follows it.
	ctx := context.Background()
	token, err := core.TakeWidget(ctx, s.db, core.WidgetMessage{Contact: "+9779812345670", Text: "first"})
	if err != nil {
		t.Fatal(err)
	}
	tickets, _ := s.db.Tickets(ctx, store.TicketFilter{View: "all", Channel: "chat", Query: "first"})
	if len(tickets) != 1 {
		t.Fatalf("the first chat: %+v", tickets)
	}
	if err := (core.Work{DB: s.db}).UpdateTicket(ctx, retain.System("test"), tickets[0].ID, core.TicketChange{Status: "closed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.TakeWidget(ctx, s.db, core.WidgetMessage{Token: token, Text: "second"}); err != nil {
		t.Fatal(err)
	}
	again, _ := s.db.Tickets(ctx, store.TicketFilter{View: "open", Channel: "chat", Query: "second"})
	lines, err := core.WidgetThread(ctx, s.db, token)
	if len(again) != 1 || again[0].ID == tickets[0].ID || err != nil || len(lines) != 1 || lines[0].Text != "second" {
		t.Errorf("after closing: %+v, the widget reads %+v %v", again, lines, err)
	}
	js, err := http.Get(s.srv.URL + "/widget.js?lang=ne")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(js.Body)
	js.Body.Close()
	if !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(b), "हामीसँग कुरा गर्नुहोस्") || !strings.Contains(string(b), `"NP"`) {
		t.Errorf("the Nepali script: %v\n%.300s", js.Header, b)
	}
}

// TestContactForm: a visitor writes on the contact page in Bengali; a bad
// number is named in Bengali and what was typed stays; the message is a
// web ticket on the customer with that number, and the agent's reply goes
// by SMS to it (by e-mail for a visitor who gave an address).
func TestContactForm(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	visitor := s.client(t)
	if code, page := visitor.get("/contact?lang=bn"); code != 200 || !strings.Contains(page, "আমাদের লিখুন") || !strings.Contains(page, `id="contact-form"`) {
		t.Fatalf("the contact page: %d\n%s", code, page)
	}
	form := url.Values{"lang": {"bn"}, "name": {"Mita"}, "contact": {"১২৩"}, "subject": {"ফেরত"}, "text": {"জুতা বদলাতে চাই"}}
	code, page := visitor.post("/contact", form, "")
	if page = html.UnescapeString(page); code != 400 || !strings.Contains(page, `id="contact-error"`) || !strings.Contains(page, "জুতা বদলাতে চাই") ||
		!strings.Contains(page, "মোবাইল") {
		t.Errorf("a bad number: %d\n%s", code, page)
	}
	for _, contact := range []string{"০১৭১১-২২৩৩৪৪", "mita@example.com"} {
		form.Set("contact", contact)
		if code, _ := visitor.post("/contact", form, ""); code != 303 {
			t.Fatalf("send: %d", code)
		}
	}
	if _, page := visitor.get("/contact?sent=1&lang=bn"); !strings.Contains(page, `id="contact-sent"`) {
		t.Errorf("the thank-you page:\n%s", page)
	}
	tickets, err := s.db.Tickets(ctx, store.TicketFilter{View: "all", Channel: "web", Query: "ফেরত"})
	if err != nil || len(tickets) != 2 {
		t.Fatalf("web tickets: %d %v", len(tickets), err)
	}
	want := map[string]retain.Channel{"+8801711223344": retain.ChannelSMS, "mita@example.com": retain.ChannelEmail}
	for _, tk := range tickets {
		if err := (core.Work{DB: s.db}).ReplyTicket(ctx, retain.System("test"), tk.ID, "কোন সাইজ?", false, core.TicketChange{}); err != nil {
			t.Fatal(err)
		}
		if _, err := core.ConsumeDesk(ctx, s.db); err != nil {
			t.Fatal(err)
		}
		thread, _ := s.db.Thread(ctx, tk.ID)
		last := thread[len(thread)-1]
		msg, err := s.db.GetMessage(ctx, last.MessageID)
		contact := cmp.Or(tk.CustomerEmail, tk.CustomerPhone)
		if err != nil || msg.Channel != want[contact] || msg.Recipient != contact {
			t.Errorf("the reply to %s: %+v %v", contact, msg, err)
		}
	}
}

// TestDashboardSupportCSAT: the dashboard gives the support CSAT of the
// last 30 days, and to an admin the CSAT by agent (an agent sees the
// figure, not their colleagues' scores).
func TestDashboardSupportCSAT(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	admin, agent := s.client(t), s.client(t)
	admin.login("admin@shop.example", password)
	agent.login("agent@shop.example", password)
	_, page := admin.get("/")
	if !strings.Contains(page, "Support CSAT") || !strings.Contains(page, `id="chart-support-csat"`) || !strings.Contains(page, " / 5") {
		t.Errorf("the admin's dashboard:\n%s", page)
	}
	if _, page := agent.get("/"); !strings.Contains(page, "Support CSAT") || strings.Contains(page, `id="chart-support-csat"`) {
		t.Errorf("the agent's dashboard shows the CSAT by agent")
	}
}

// TestDeskLogCall: an agent logs a phone call from a number nobody has
// (a new customer, a phone ticket that is theirs), and a visit from a
// customer's page (their ticket); a bad number is a 400 naming the field,
// with what was typed kept.
func TestDeskLogCall(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	if code, page := agent.get("/desk/new"); code != 200 || !strings.Contains(page, `id="log-form"`) {
		t.Fatalf("the form: %d", code)
	}
	form := url.Values{"channel": {"phone"}, "contact": {"not a number"}, "name": {"Hari"}, "text": {"The kettle leaks"}, "priority": {"high"}}
	if code, page := agent.post("/desk/new", form, ""); code != 400 || !strings.Contains(page, "Mobile number or e-mail") || !strings.Contains(page, "The kettle leaks") {
		t.Errorf("a bad number: %d\n%s", code, page)
	}
	form.Set("contact", "+9779801112223")
	if code, _ := agent.post("/desk/new", form, ""); code != 303 {
		t.Fatalf("log: %d", code)
	}
	rows, _ := s.db.Tickets(ctx, store.TicketFilter{View: "all", Channel: "phone", Query: "+9779801112223"})
	if len(rows) != 1 || rows[0].AssigneeID != s.agentID || rows[0].Priority != "high" || rows[0].CustomerName != "Hari" || rows[0].Subject != "The kettle leaks" {
		t.Fatalf("the logged call: %+v", rows)
	}
	custs, _, _ := s.db.Customers(ctx, store.CustomerFilter{Size: 1})
	admin := s.client(t)
	admin.login("admin@shop.example", password)
	if _, page := admin.get(fmt.Sprintf("/customers/%d", custs[0].ID)); !strings.Contains(page, `id="c360-new-ticket"`) {
		t.Errorf("no way to open a ticket from the customer's page")
	}
	visit := url.Values{"channel": {"in_store"}, "customer": {custs[0].ExternalID}, "text": {"Wants a refund"}}
	if code, _ := agent.post("/desk/new", visit, ""); code != 303 {
		t.Fatalf("log a visit: %d", code)
	}
	if rows, _ := s.db.Tickets(ctx, store.TicketFilter{View: "all", Channel: "in_store", CustomerID: custs[0].ID, Sort: "-opened"}); len(rows) == 0 ||
		rows[0].Subject != "Wants a refund" {
		t.Errorf("the logged visit: %+v", rows)
	}
}
