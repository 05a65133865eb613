package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

// Surveys (docs/surveys.md): a survey is versioned data; an invitation is
// a row with a random token, what it is about and whom, sent as a message
// with a link (and, on SMS and WhatsApp, as a question a reply answers).
// An answer, from the page or a reply, is kept on the invitation and its
// score goes in through Ingest as a survey response, so alerts, playbooks
// (detractor → service recovery, promoter → advocacy), ratings and reports
// read it like any imported answer.

//go:embed surveys/*.json
var builtinSurveys embed.FS

// BuiltinSurveys are the shipped surveys: CSAT, NPS, CES and one after a
// visit that asks who helped.
func BuiltinSurveys() ([]*retain.Survey, error) {
	files, err := fs.Glob(builtinSurveys, "surveys/*.json")
	if err != nil {
		return nil, err
	}
	var out []*retain.Survey
	for _, f := range files {
		b, _ := builtinSurveys.ReadFile(f)
		s, err := retain.ParseSurvey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// installSurveys stores the shipped surveys that are not in the database
// yet; an edited survey is never overwritten.
func installSurveys(ctx context.Context, db *store.DB) (int, error) {
	ss, err := BuiltinSurveys()
	if err != nil {
		return 0, err
	}
	have, err := db.Surveys(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range ss {
		if slices.ContainsFunc(have, func(h store.SurveyRow) bool { return h.Key == s.Key }) {
			continue
		}
		b, _ := json.Marshal(s)
		if _, _, err := db.SaveSurvey(ctx, retain.System("install"), s.Key, b, true); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SurveyVersion reads and parses one version of a survey.
func SurveyVersion(ctx context.Context, db *store.DB, key string, version int) (*retain.Survey, error) {
	b, err := db.SurveyVersion(ctx, key, version)
	if err != nil {
		return nil, err
	}
	return retain.ParseSurvey(b)
}

// CurrentSurvey reads a survey's current version.
func CurrentSurvey(ctx context.Context, db *store.DB, key string) (*retain.Survey, store.SurveyRow, error) {
	row, err := db.SurveyHead(ctx, key)
	if err != nil {
		return nil, row, err
	}
	s, err := retain.ParseSurvey(row.Definition)
	return s, row, err
}

// SaveSurvey checks a definition and stores it as the survey's next version.
func SaveSurvey(ctx context.Context, db *store.DB, by retain.Actor, s *retain.Survey) (version int, created bool, err error) {
	if err := by.Require(retain.PermPlaybooksManage); err != nil {
		return 0, false, err
	}
	if err := s.Validate().Err(); err != nil {
		return 0, false, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return 0, false, err
	}
	return db.SaveSurvey(ctx, by, s.Key, b, true)
}

// NewSurveyToken makes an invitation's token: 128 random bits, URL-safe.
// Only its hash is stored.
func NewSurveyToken() (token, hash string, err error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, SurveyTokenHash(token), nil
}

// SurveyTokenHash is what is stored of a token and looked up by.
func SurveyTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SurveyLink is the public page of an invitation under publicURL.
func SurveyLink(publicURL, token string) string {
	return strings.TrimSuffix(publicURL, "/") + "/s/" + token
}

// Survey settings: how often any survey may reach one customer.
const (
	recontactSetting = "survey.recontact_days"
	// DefaultRecontactDays: at most one survey a week per customer, across
	// every survey (each survey adds its own, longer, limit).
	DefaultRecontactDays = 7
)

// RecontactDays is the limit across surveys in force.
func RecontactDays(ctx context.Context, db *store.DB) (int, error) {
	v, ok, err := db.Setting(ctx, recontactSetting)
	if err != nil || !ok {
		return DefaultRecontactDays, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return DefaultRecontactDays, nil
	}
	return n, nil
}

// SetRecontactDays changes the limit across surveys.
func SetRecontactDays(ctx context.Context, db *store.DB, by retain.Actor, days int) error {
	if err := by.Require(retain.PermSettingsManage); err != nil {
		return err
	}
	if days < 0 || days > 365 {
		return retain.FieldError("recontact_days", "must be a positive whole number")
	}
	return db.SaveSetting(ctx, by, recontactSetting, strconv.Itoa(days))
}

// Invite is one invitation to create and send.
type Invite struct {
	Key        string // idempotency key: the cause (an enrollment's step, an API call's id)
	Survey     *retain.Survey
	Version    int
	Subject    Subject // the customer, their language and the business
	Channel    retain.Channel
	To         string
	Context    string // what it is about: one of store.InvitationContexts
	Served     store.ServedBy
	Enrollment int64
	PublicURL  string
	Due        time.Time
	Lateness   time.Duration
}

// Invitation outcomes other than sent.
const (
	SurveyThrottled = "not sent: surveyed recently"
	SurveyNoLink    = "not sent: email needs the public URL (retain messaging set public_url=…)"
)

// SendInvite creates the invitation and queues its message in tx, unless the
// customer was surveyed within the recontact limits (then note says why
// and nothing is written).
func SendInvite(ctx context.Context, tx *store.Tx, in Invite, recontactDays int) (id int64, created bool, note string, err error) {
	s := in.Survey
	now := tx.Now()
	anyAt, thisAt, err := tx.LastInvited(ctx, in.Subject.Facts.ID, s.Key)
	if err != nil {
		return 0, false, "", err
	}
	if recent(anyAt, now, recontactDays) || recent(thisAt, now, s.RecontactDays) {
		return 0, false, SurveyThrottled, nil
	}
	if in.PublicURL == "" && in.Channel == retain.ChannelEmail {
		return 0, false, SurveyNoLink, nil
	}
	token, hash, err := NewSurveyToken()
	if err != nil {
		return 0, false, "", err
	}
	expires := s.ExpiresDays
	if expires == 0 {
		expires = 7
	}
	first := s.Questions[0]
	inv := store.Invitation{Key: in.Key, TokenHash: hash, ResponseExt: "survey:" + in.Key, SurveyKey: s.Key, SurveyVersion: in.Version,
		CustomerID: in.Subject.Facts.ID, Channel: in.Channel, Locale: in.Subject.Locale, Context: in.Context,
		OrderID: in.Served.OrderID, TicketID: in.Served.TicketID, EnrollmentID: in.Enrollment, StaffID: in.Served.StaffID,
		TeamID: in.Served.TeamID, ExpiresAt: now.AddDate(0, 0, expires)}
	if replyAnswers(first) {
		inv.Awaiting = first.ID
	}
	id, created, err = tx.CreateInvitation(ctx, inv)
	if err != nil || !created {
		return id, created, "", err
	}
	link := ""
	if in.PublicURL != "" {
		link = SurveyLink(in.PublicURL, token)
	}
	body, menu := InviteText(s, in.Subject, in.Channel, link)
	m := retain.Message{IdempotencyKey: in.Key, CustomerID: in.Subject.Facts.ID, Channel: in.Channel, Purpose: retain.PurposeTransactional,
		Kind: "survey." + s.Key, Locale: in.Subject.Locale, Recipient: in.To, Subject: retain.Localized(s.Name, in.Subject.Locale),
		Body: body, Menu: menu, DueAt: in.Due, MaxLateness: in.Lateness, EnrollmentID: in.Enrollment}
	if _, _, err := tx.EnqueueMessage(ctx, m); err != nil {
		return id, created, "", err
	}
	if s.RemindAfterDays > 0 {
		err = tx.SetTimer(ctx, store.Timer{Key: fmt.Sprintf("%s:%d", store.TimerSurveyRemind, id), Kind: store.TimerSurveyRemind,
			SubjectID: id, CustomerID: in.Subject.Facts.ID, DueAt: now.AddDate(0, 0, s.RemindAfterDays)})
	}
	return id, created, "", err
}

func recent(at, now time.Time, days int) bool {
	return days > 0 && !at.IsZero() && now.Sub(at) < time.Duration(days)*24*time.Hour
}

// replyAnswers reports whether a reply by SMS or WhatsApp can answer q: a
// staff picker needs the page (names and photos do not fit a text).
func replyAnswers(q retain.Question) bool { return q.Type != "staff" && q.Type != "multi" }

// InviteText is an invitation's message: the intro, the first question,
// how to answer by reply (SMS, WhatsApp) and the link. On WhatsApp a scale
// of up to ten points is also a menu: one tap is the score.
func InviteText(s *retain.Survey, subj Subject, channel retain.Channel, link string) (string, *retain.ReplyMenu) {
	l := i18n.New(subj.Locale, true)
	q := s.Questions[0]
	lines := []string{render(s.Intro, subj), retain.Localized(q.Text, subj.Locale)}
	var menu *retain.ReplyMenu
	if channel == retain.ChannelEmail {
		if q.Type == "scale" && q.Max-q.Min <= 4 && link != "" {
			// One tap from the mail to the score: a link per point.
			for n := q.Max; n >= q.Min; n-- {
				lines = append(lines, fmt.Sprintf("%s %s: %s?score=%d", l.Int(int64(n)), pointLabel(q, n, subj.Locale), link, n))
			}
		} else if link != "" {
			lines = append(lines, l.T("survey.answer_here")+" "+link)
		}
		return strings.Join(lines, "\n"), nil
	}
	if hint := replyHint(l, q, subj.Locale); hint != "" {
		lines = append(lines, hint)
	}
	if channel == retain.ChannelWhatsApp && q.Type == "scale" && q.Max-q.Min < 10 {
		menu = &retain.ReplyMenu{Button: l.T("survey.choose_score")}
		for n := q.Max; n >= q.Min; n-- {
			menu.Options = append(menu.Options, retain.ReplyOption{ID: messaging.ScoreReplyPrefix + strconv.Itoa(n),
				Title: strings.TrimSpace(l.Int(int64(n)) + " " + pointLabel(q, n, subj.Locale))})
		}
	}
	if link != "" {
		// The link after the words, not in them: the catalog writes digits
		// in the reader's script, and a link's must stay as they are.
		lines = append(lines, l.T("survey.or_answer_here")+" "+link)
	}
	return strings.Join(lines, "\n"), menu
}

// pointLabel names a scale's ends ("Very unhappy", "Very happy").
func pointLabel(q retain.Question, n int, locale string) string {
	switch n {
	case q.Min:
		return retain.Localized(q.Low, locale)
	case q.Max:
		return retain.Localized(q.High, locale)
	}
	return ""
}

// replyHint says how to answer a question by reply.
func replyHint(l *i18n.Localizer, q retain.Question, locale string) string {
	switch q.Type {
	case "scale":
		return l.T("survey.reply_scale", map[string]any{"Low": l.Int(int64(q.Min)), "High": l.Int(int64(q.Max))})
	case "choice":
		var opts []string
		for i, o := range q.Options {
			opts = append(opts, l.Int(int64(i+1))+" "+retain.Localized(o.Text, locale))
		}
		return l.T("survey.reply_choice", map[string]any{"Options": strings.Join(opts, ", ")})
	case "text":
		return l.T("survey.reply_text")
	}
	return ""
}

// Answer is what a customer gave for some questions, by question id.
type Answer map[string]string

// AnswerSurvey records answers on an invitation: each is checked against
// its question (a score in range, an option that exists, a staff member in
// the directory), merged with earlier ones, and the score with the first
// comment goes in as the survey response. finish closes the invitation
// (the page's last step); otherwise it stays open for later questions.
// It returns the invitation as saved; ENOTFOUND-coded errors for an
// expired or finished one.
func AnswerSurvey(ctx context.Context, db *store.DB, inv store.Invitation, s *retain.Survey, a Answer, finish bool) (store.Invitation, error) {
	now := db.Now()
	if inv.Status == store.InvitationDone {
		return inv, retain.Errorf(retain.ECONFLICT, "this survey was already answered")
	}
	if inv.Expired(now) {
		return inv, retain.Errorf(retain.ENOTFOUND, "this survey link has expired")
	}
	for id, v := range a {
		q, ok := s.Question(id)
		if !ok {
			return inv, retain.FieldError(id, "unknown field")
		}
		v, err := checkAnswer(ctx, db, q, strings.TrimSpace(v))
		if err != nil {
			return inv, err
		}
		if v == "" {
			delete(inv.Answers, id)
			continue
		}
		inv.Answers[id] = v
	}
	if q, ok := s.Scored(); ok {
		if v, ok := inv.Answers[q.ID]; ok {
			n, _ := strconv.Atoi(v)
			inv.Score = &n
		}
	}
	inv.Awaiting = ""
	for _, q := range s.Questions {
		if _, ok := inv.Answers[q.ID]; !ok && replyAnswers(q) {
			inv.Awaiting = q.ID
			break
		}
	}
	switch {
	case finish || (inv.Awaiting == "" && len(inv.Answers) > 0 && allAnswered(s, inv.Answers)):
		inv.Status = store.InvitationDone
	case len(inv.Answers) > 0:
		inv.Status = store.InvitationAnswered
	}
	if inv.Score != nil {
		if err := recordResponse(ctx, db, inv, s, now); err != nil {
			return inv, err
		}
	}
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		saved, err := tx.SaveAnswers(ctx, inv)
		if err == nil && !saved {
			err = retain.Errorf(retain.ECONFLICT, "this survey was already answered")
		}
		return err
	})
	return inv, err
}

func allAnswered(s *retain.Survey, a map[string]string) bool {
	for _, q := range s.Questions {
		if _, ok := a[q.ID]; !ok {
			return false
		}
	}
	return true
}

// checkAnswer normalizes one answer or says what is wrong with it.
func checkAnswer(ctx context.Context, db *store.DB, q retain.Question, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch q.Type {
	case "scale":
		n, err := strconv.Atoi(v)
		if err != nil || n < q.Min || n > q.Max {
			return "", retain.FieldError(q.ID, "%q is not one of %v", v, fmt.Sprintf("%d–%d", q.Min, q.Max))
		}
		return strconv.Itoa(n), nil
	case "choice", "multi":
		ids := strings.Split(v, ",")
		if q.Type == "choice" && len(ids) > 1 {
			return "", retain.FieldError(q.ID, "%q is not one of %v", v, optionIDs(q))
		}
		for _, id := range ids {
			if !slices.Contains(optionIDs(q), id) {
				return "", retain.FieldError(q.ID, "%q is not one of %v", id, optionIDs(q))
			}
		}
		return v, nil
	case "staff":
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			var m store.Member
			if m, err = db.Member(ctx, id); err == nil && !m.Active {
				err = retain.Errorf(retain.ENOTFOUND, "inactive")
			}
		}
		if err != nil {
			return "", retain.FieldError(q.ID, "%q is not one of %v", v, "the staff directory")
		}
		return strconv.FormatInt(id, 10), nil
	}
	if len(v) > 10000 {
		return "", retain.FieldError(q.ID, "is longer than %d characters", 10000)
	}
	return v, nil
}

func optionIDs(q retain.Question) []string {
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	return ids
}

// recordResponse writes the invitation's score through the one way in:
// the same external id each time, so a comment added later updates the
// response instead of adding one.
func recordResponse(ctx context.Context, db *store.DB, inv store.Invitation, s *retain.Survey, now time.Time) error {
	refs, err := db.InvitationRefs(ctx, inv)
	if err != nil {
		return err
	}
	r := retain.SurveyResponse{ExternalID: inv.ResponseExt, CustomerRef: inv.CustomerExt, Kind: s.Kind, Score: *inv.Score,
		StaffRef: refs.Staff, OrderRef: refs.Order, TicketRef: refs.Ticket, RespondedAt: now}
	if !inv.AnsweredAt.IsZero() {
		r.RespondedAt = inv.AnsweredAt // a comment later is the same answer
	}
	for _, q := range s.Questions {
		if v := inv.Answers[q.ID]; q.Type == "text" && v != "" {
			r.Comment = v
			break
		}
		if v := inv.Answers[q.ID]; q.Type == "staff" && v != "" {
			// The customer named who helped: that is whom the answer is about.
			id, _ := strconv.ParseInt(v, 10, 64)
			if m, err := db.Member(ctx, id); err == nil {
				r.StaffRef = m.ExternalID
			}
		}
	}
	b := store.Batch{SurveyResponses: []store.Row[retain.SurveyResponse]{{V: r}}}
	res, err := Ingest(ctx, db, retain.System("survey"), Rows(&b))
	if err == nil && len(res.Rejects) > 0 {
		err = fmt.Errorf("survey answer refused: %s %s", res.Rejects[0].Field, res.Rejects[0].Why.Text)
	}
	return err
}

// SurveyReply takes an SMS or WhatsApp reply as an answer to the newest
// open invitation of the customer on that channel. It returns false when
// there is none, or the reply does not answer what was asked (a score
// question answered with a sentence): then it is just a message.
func SurveyReply(ctx context.Context, db *store.DB, phone string, channel retain.Channel, text string) (bool, error) {
	inv, ok, err := db.OpenInvitation(ctx, phone, channel)
	if err != nil || !ok || inv.Awaiting == "" {
		return false, err
	}
	s, err := SurveyVersion(ctx, db, inv.SurveyKey, inv.SurveyVersion)
	if err != nil {
		return false, err
	}
	q, ok := s.Question(inv.Awaiting)
	if !ok {
		return false, nil
	}
	a := Answer{}
	switch q.Type {
	case "scale":
		n, comment, ok := messaging.ParseScore(text, q.Min, q.Max)
		if !ok {
			return false, nil
		}
		a[q.ID] = strconv.Itoa(n)
		if next := nextText(s, inv.Answers, q.ID); comment != "" && next != "" {
			a[next] = comment // "2 the rider was rude": the score and the reason at once
		}
	case "choice":
		n, _, ok := messaging.ParseScore(text, 1, len(q.Options))
		if !ok {
			return false, nil
		}
		a[q.ID] = q.Options[n-1].ID
	default:
		a[q.ID] = strings.TrimSpace(text)
	}
	inv, err = AnswerSurvey(ctx, db, inv, s, a, false)
	if err != nil {
		return false, err
	}
	return true, db.WithTx(ctx, func(tx *store.Tx) error { return followUp(ctx, tx, inv, s, phone) })
}

// nextText is the first unanswered free-text question after after.
func nextText(s *retain.Survey, answered map[string]string, after string) string {
	past := false
	for _, q := range s.Questions {
		if past && q.Type == "text" && answered[q.ID] == "" {
			return q.ID
		}
		past = past || q.ID == after
	}
	return ""
}

// followUp asks the next question a reply can answer, or thanks the
// customer when there is none.
func followUp(ctx context.Context, tx *store.Tx, inv store.Invitation, s *retain.Survey, to string) error {
	l := i18n.New(inv.Locale, true)
	key := fmt.Sprintf("%s:%s", inv.Key, inv.Awaiting)
	body := l.T("survey.thanks")
	if q, ok := s.Question(inv.Awaiting); ok && inv.Awaiting != "" {
		body = retain.Localized(q.Text, inv.Locale)
		if hint := replyHint(l, q, inv.Locale); hint != "" {
			body += "\n" + hint
		}
	} else {
		key = inv.Key + ":thanks"
	}
	_, _, err := tx.EnqueueMessage(ctx, retain.Message{IdempotencyKey: key, CustomerID: inv.CustomerID, Channel: inv.Channel,
		Purpose: retain.PurposeTransactional, Kind: "survey.follow_up", Locale: inv.Locale, Recipient: to, Body: body,
		MaxLateness: 24 * time.Hour, EnrollmentID: inv.EnrollmentID})
	return err
}

// remindSurvey sends an invitation's one reminder: its message again,
// marked as a reminder, if it is still unanswered.
func remindSurvey(ctx context.Context, tx *store.Tx, id int64) error {
	fresh, err := tx.MarkReminded(ctx, id)
	if err != nil || !fresh {
		return err // answered, expired or reminded already
	}
	inv, err := tx.Invitation(ctx, id)
	if err != nil {
		return err
	}
	m, err := tx.MessageByKey(ctx, inv.Key)
	if err != nil {
		return err
	}
	l := i18n.New(inv.Locale, true)
	m.IdempotencyKey, m.Kind, m.DueAt = inv.Key+":reminder", "survey.reminder", tx.Now()
	m.Body = l.T("survey.reminder") + "\n" + m.Body
	_, _, err = tx.EnqueueMessage(ctx, m)
	return err
}

// SurveyHead is a survey's current version as a playbook step sends it.
type SurveyHead struct {
	Def     *retain.Survey
	Version int
	Enabled bool
}

// SurveyNoChannel: a survey step found no channel set up to reach the
// customer on; an invitation is never held for one.
const SurveyNoChannel = "not sent: no channel that reaches the customer is set up"

// SurveyOff: the survey is switched off.
const SurveyOff = "not sent: the survey is off"

// invite runs a playbook's survey step: the invitation is about what
// started the enrollment and whoever served it then.
func (r *Runner) invite(ctx context.Context, tx *store.Tx, e retain.Enrollment, subj Subject, a Action, key string) (string, error) {
	head, ok := subj.Surveys[a.Kind]
	if !ok {
		return fmt.Sprintf("not sent: no survey %q", a.Kind), nil // deleted since the playbook was saved
	}
	if !head.Enabled {
		return SurveyOff, nil
	}
	var err error
	in := Invite{Key: key, Survey: head.Def, Version: head.Version, Subject: subj, Channel: a.Channel, To: a.To, Enrollment: e.ID,
		PublicURL: r.PublicURL, Due: stepDue(e, tx.Now()), Lateness: a.Lateness}
	if in.Context, in.Served, err = servedBy(ctx, tx, e.TriggerRef); err != nil {
		return "", err
	}
	days, err := RecontactDays(ctx, r.DB)
	if err != nil {
		return "", err
	}
	_, _, note, err := SendInvite(ctx, tx, in, days)
	return note, err
}

// servedBy reads an enrollment's cause ("order_event:12:order_delivered")
// as an invitation's context and the staff member it is about.
func servedBy(ctx context.Context, tx *store.Tx, triggerRef string) (string, store.ServedBy, error) {
	kind, rest, _ := strings.Cut(triggerRef, ":")
	idText, _, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return "enrollment", store.ServedBy{}, nil
	}
	var s store.ServedBy
	switch kind {
	case "order_event":
		s, err = tx.OrderEventServedBy(ctx, id)
		return "delivery", s, ignoreGone(err)
	case "order":
		return "order", store.ServedBy{OrderID: id}, nil
	case "ticket":
		s, err = tx.TicketServedBy(ctx, id)
		return "ticket", s, ignoreGone(err)
	case "interaction":
		s, err = tx.InteractionServedBy(ctx, id)
		return "visit", s, ignoreGone(err)
	}
	return "enrollment", s, nil
}

// ignoreGone: a cause deleted since (a merged customer's ticket) leaves an
// invitation about nothing in particular, not a failed step.
func ignoreGone(err error) error {
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return nil
	}
	return err
}

// SurveyRequest asks for one invitation outside a playbook: from the API
// (a shop's POS after a visit, a helpdesk after a ticket) or the CLI.
type SurveyRequest struct {
	Key      string         // idempotency: the caller's id for this request
	Survey   string         // survey key
	Customer string         // customer external id
	Channel  retain.Channel // "" : the first of WhatsApp, SMS, email that is set up and reaches them
	Order    string         // order external id it is about, if any
	Ticket   string         // ticket external id it is about, if any
	Staff    string         // staff external id it is about (default: the ticket's assignee)
	Context  string         // order, ticket, delivery, visit; default from what is given
}

// SurveyResult is what a request did.
type SurveyResult struct {
	InvitationID int64          `json:"invitation_id"`
	Created      bool           `json:"created"` // false: the same key was sent before
	Channel      retain.Channel `json:"channel"`
	NotSent      string         `json:"not_sent,omitempty"` // why nothing was sent (recently surveyed, no channel)
}

// SendSurvey creates and queues one invitation, with the same limits,
// consent and quiet hours as a playbook's.
func SendSurvey(ctx context.Context, db *store.DB, live *LiveSettings, by retain.Actor, req SurveyRequest) (SurveyResult, error) {
	if err := by.Require(retain.PermWorkAct); err != nil {
		return SurveyResult{}, err
	}
	p := retain.Problems{}
	if req.Key == "" || len(req.Key) > 200 {
		p.Add("id", "is required")
	}
	if !slices.Contains(store.InvitationContexts, req.Context) {
		p.Add("context", "%q is not one of %v", req.Context, store.InvitationContexts[1:])
	}
	if req.Channel != "" && !slices.Contains([]retain.Channel{retain.ChannelWhatsApp, retain.ChannelSMS, retain.ChannelEmail}, req.Channel) {
		p.Add("channel", "%q is not one of %v", req.Channel, []string{"whatsapp", "sms", "email"})
	}
	if err := p.Err(); err != nil {
		return SurveyResult{}, err
	}
	s, row, err := CurrentSurvey(ctx, db, req.Survey)
	if err != nil {
		return SurveyResult{}, err
	}
	if !row.Enabled {
		return SurveyResult{NotSent: SurveyOff}, nil
	}
	c, err := db.GetCustomer(ctx, req.Customer)
	if err != nil {
		return SurveyResult{}, fieldNotFound("customer_id", err)
	}
	f, err := db.CustomerFacts(ctx, c.ID)
	if err != nil {
		return SurveyResult{}, err
	}
	m, err := live.Messaging(ctx)
	if err != nil {
		return SurveyResult{}, err
	}
	subj := Subject{Facts: f, Locale: LocaleOf(f.Locale), Channels: m.Configured(), Business: m.Settings.BusinessName,
		ReviewURL: m.Settings.ReviewURL, Now: db.Now()}
	if f.Locale == "" && m.Settings.Language != "" {
		subj.Locale = m.Settings.Language
	}
	prefs := []retain.Channel{retain.ChannelWhatsApp, retain.ChannelSMS, retain.ChannelEmail}
	if req.Channel != "" {
		prefs = []retain.Channel{req.Channel}
	}
	channel, to, _, waiting := pickChannel(prefs, subj)
	if channel == "" || len(waiting) > 0 {
		return SurveyResult{NotSent: SurveyNoChannel}, nil
	}
	in := Invite{Key: "api:" + req.Key, Survey: s, Version: row.Version, Subject: subj, Channel: channel, To: to,
		PublicURL: m.Settings.PublicURL, Due: db.Now(), Lateness: 24 * time.Hour, Context: req.Context}
	days, err := RecontactDays(ctx, db)
	if err != nil {
		return SurveyResult{}, err
	}
	var res SurveyResult
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		if in.Served, err = requestServedBy(ctx, tx, req); err != nil {
			return err
		}
		if in.Context == "" {
			in.Context = map[bool]string{true: "ticket", false: "order"}[in.Served.TicketID != 0]
			if in.Served.TicketID == 0 && in.Served.OrderID == 0 {
				in.Context = ""
			}
		}
		res.InvitationID, res.Created, res.NotSent, err = SendInvite(ctx, tx, in, days)
		return err
	})
	res.Channel = channel
	return res, err
}

// requestServedBy reads a request's order, ticket and staff member.
func requestServedBy(ctx context.Context, tx *store.Tx, req SurveyRequest) (store.ServedBy, error) {
	var s store.ServedBy
	if req.Ticket != "" {
		id, err := tx.TicketID(ctx, req.Ticket)
		if err != nil {
			return s, fieldNotFound("ticket_id", err)
		}
		if s, err = tx.TicketServedBy(ctx, id); err != nil {
			return s, err
		}
	}
	if req.Order != "" {
		id, err := tx.OrderID(ctx, req.Order)
		if err != nil {
			return s, fieldNotFound("order_id", err)
		}
		s.OrderID = id
	}
	if req.Staff != "" {
		id, err := tx.StaffByExternalID(ctx, req.Staff)
		if err != nil {
			return s, fieldNotFound("staff", err)
		}
		s.StaffID = id
		if s.TeamID, err = tx.StaffTeam(ctx, id); err != nil {
			return s, err
		}
	}
	return s, nil
}

// fieldNotFound names the field of a reference that does not exist.
func fieldNotFound(field string, err error) error {
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return retain.FieldError(field, "%v", err.Error())
	}
	return err
}

// SurveySummary is a survey with how its invitations fared, as the CLI
// and the API list them.
type SurveySummary struct {
	Key      string  `json:"key"`
	Kind     string  `json:"kind"`
	Version  int     `json:"version"`
	Enabled  bool    `json:"enabled"`
	Sent     int     `json:"sent"`
	Answered int     `json:"answered"`
	Rate     float64 `json:"response_rate" doc:"Answered ÷ sent; 0 when none was sent."`
}

// SurveySummaries lists every survey with its response rate.
func SurveySummaries(ctx context.Context, db *store.DB) ([]SurveySummary, error) {
	rows, err := db.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	out := []SurveySummary{}
	for _, r := range rows {
		var s retain.Survey
		if err := json.Unmarshal(r.Definition, &s); err != nil {
			return nil, fmt.Errorf("survey %s: %w", r.Key, err)
		}
		out = append(out, SurveySummary{Key: r.Key, Kind: s.Kind, Version: r.Version, Enabled: r.Enabled, Sent: r.Sent,
			Answered: r.Answered, Rate: r.Rate()})
	}
	return out, nil
}
