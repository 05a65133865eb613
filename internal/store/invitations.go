package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/retainhq/retain"
)

// Invitation statuses: open until the score (or a first answer) is in,
// answered while later questions may still come, done once the customer
// has finished (or left nothing more to ask).
const (
	InvitationOpen     = "open"
	InvitationAnswered = "answered"
	InvitationDone     = "done"
)

// Invitation contexts: what the survey is about ("" for nothing in particular).
var InvitationContexts = []string{"", "order", "ticket", "delivery", "visit", "enrollment"}

// Invitation is one invitation to answer a survey.
type Invitation struct {
	ID            int64
	Key           string // idempotency key: the same cause is one invitation
	TokenHash     string // SHA-256 of the link's token, hex
	ResponseExt   string // the external id its score is recorded under
	SurveyKey     string
	SurveyVersion int
	CustomerID    int64
	Channel       retain.Channel
	Locale        string
	Context       string // one of InvitationContexts
	OrderID       int64
	TicketID      int64
	EnrollmentID  int64
	StaffID       int64 // whom it is about (a snapshot, with their team)
	TeamID        int64
	Status        string
	Awaiting      string            // by reply: the question the next reply answers
	Answers       map[string]string // by question id; a multiple choice is its ids joined by commas
	Score         *int
	Reminded      bool
	CreatedAt     time.Time
	ExpiresAt     time.Time
	AnsweredAt    time.Time
	StaffName     string // read with the invitation, for the page
	CustomerExt   string
}

// Expired reports whether the invitation no longer takes answers.
func (i Invitation) Expired(now time.Time) bool { return !now.Before(i.ExpiresAt) }

// CreateInvitation adds an invitation in the transaction of its cause; a
// key already used adds nothing (created false, the existing id).
func (tx *Tx) CreateInvitation(ctx context.Context, inv Invitation) (id int64, created bool, err error) {
	err = tx.tx.QueryRowContext(ctx, `INSERT INTO survey_invitations (idempotency_key, token_hash, response_ext, survey_key, survey_version,
		customer_id, channel, locale, context, order_id, ticket_id, enrollment_id, staff_id, team_id, awaiting, created_at, expires_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		inv.Key, inv.TokenHash, inv.ResponseExt, inv.SurveyKey, inv.SurveyVersion, inv.CustomerID, inv.Channel, inv.Locale, inv.Context,
		nullID(inv.OrderID), nullID(inv.TicketID), nullID(inv.EnrollmentID), nullID(inv.StaffID), nullID(inv.TeamID), inv.Awaiting,
		tx.now, inv.ExpiresAt.UTC()).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if err != sql.ErrNoRows {
		return 0, false, fmt.Errorf("store: invitation: %w", err)
	}
	err = tx.tx.QueryRowContext(ctx, `SELECT id FROM survey_invitations WHERE idempotency_key = $1`, inv.Key).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("store: invitation: %w", err)
	}
	return id, false, nil
}

// LastInvited is when the customer was last invited to any survey and to
// this one (zero when never): the recontact limits read it.
func (tx *Tx) LastInvited(ctx context.Context, customerID int64, surveyKey string) (any, this time.Time, err error) {
	var a, t nullTime
	err = tx.tx.QueryRowContext(ctx, `SELECT MAX(created_at), MAX(CASE WHEN survey_key = $2 THEN created_at END)
		FROM survey_invitations WHERE customer_id = $1`, customerID, surveyKey).Scan(&a, &t)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("store: last invited: %w", err)
	}
	return a.T, t.T, nil
}

// ServedBy is whom an invitation's context is about, with their team now.
type ServedBy struct {
	OrderID, TicketID, StaffID, TeamID int64
}

// OrderEventServedBy: the order of an order event and who handled it
// (the rider of a delivery).
func (tx *Tx) OrderEventServedBy(ctx context.Context, eventID int64) (ServedBy, error) {
	var s ServedBy
	var staff, team sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT e.order_id, e.staff_id, st.team_id FROM order_events e
		LEFT JOIN staff st ON st.id = e.staff_id WHERE e.id = $1`, eventID).Scan(&s.OrderID, &staff, &team)
	s.StaffID, s.TeamID = staff.Int64, team.Int64
	return s, notFound(err, "no order event %d", eventID)
}

// TicketServedBy: a ticket and its assignee.
func (tx *Tx) TicketServedBy(ctx context.Context, ticketID int64) (ServedBy, error) {
	s := ServedBy{TicketID: ticketID}
	var staff, team sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT t.assignee_id, st.team_id FROM tickets t
		LEFT JOIN staff st ON st.id = t.assignee_id WHERE t.id = $1`, ticketID).Scan(&staff, &team)
	s.StaffID, s.TeamID = staff.Int64, team.Int64
	return s, notFound(err, "no ticket %d", ticketID)
}

// InteractionServedBy: the staff member of a logged visit or call.
func (tx *Tx) InteractionServedBy(ctx context.Context, id int64) (ServedBy, error) {
	var s ServedBy
	var staff, team sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT i.staff_id, st.team_id FROM interactions i
		LEFT JOIN staff st ON st.id = i.staff_id WHERE i.id = $1`, id).Scan(&staff, &team)
	s.StaffID, s.TeamID = staff.Int64, team.Int64
	return s, notFound(err, "no interaction %d", id)
}

// StaffTeam is a staff member's team now (0: none).
func (tx *Tx) StaffTeam(ctx context.Context, staffID int64) (int64, error) {
	var team sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT team_id FROM staff WHERE id = $1`, staffID).Scan(&team)
	return team.Int64, notFound(err, "no staff member %d", staffID)
}

const invitationColumns = `i.id, i.idempotency_key, i.token_hash, i.response_ext, i.survey_key, i.survey_version, i.customer_id, i.channel,
	i.locale, i.context, i.order_id, i.ticket_id, i.enrollment_id, i.staff_id, i.team_id, i.status, i.awaiting, i.answers, i.score,
	i.reminded, i.created_at, i.expires_at, i.answered_at, COALESCE(st.name, ''), c.external_id`

const invitationFrom = ` FROM survey_invitations i JOIN customers c ON c.id = i.customer_id LEFT JOIN staff st ON st.id = i.staff_id `

func scanInvitation(r interface{ Scan(...any) error }) (Invitation, error) {
	var inv Invitation
	var order, ticket, enr, staff, team, score sql.NullInt64
	var answers string
	var created, expires, answered nullTime
	err := r.Scan(&inv.ID, &inv.Key, &inv.TokenHash, &inv.ResponseExt, &inv.SurveyKey, &inv.SurveyVersion, &inv.CustomerID, &inv.Channel,
		&inv.Locale, &inv.Context, &order, &ticket, &enr, &staff, &team, &inv.Status, &inv.Awaiting, &answers, &score,
		&inv.Reminded, &created, &expires, &answered, &inv.StaffName, &inv.CustomerExt)
	if err != nil {
		return inv, err
	}
	inv.OrderID, inv.TicketID, inv.EnrollmentID, inv.StaffID, inv.TeamID = order.Int64, ticket.Int64, enr.Int64, staff.Int64, team.Int64
	inv.CreatedAt, inv.ExpiresAt, inv.AnsweredAt = created.T, expires.T, answered.T
	if score.Valid {
		n := int(score.Int64)
		inv.Score = &n
	}
	inv.Answers = map[string]string{}
	if answers != "" {
		if err := json.Unmarshal([]byte(answers), &inv.Answers); err != nil {
			return inv, fmt.Errorf("store: invitation %d answers: %w", inv.ID, err)
		}
	}
	return inv, nil
}

// InvitationByToken finds an invitation by its token's hash.
func (db *DB) InvitationByToken(ctx context.Context, tokenHash string) (Invitation, error) {
	inv, err := scanInvitation(db.read.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+`WHERE i.token_hash = $1`, tokenHash))
	return inv, notFound(err, "no such survey link")
}

// Invitation reads one invitation.
func (tx *Tx) Invitation(ctx context.Context, id int64) (Invitation, error) {
	inv, err := scanInvitation(tx.tx.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+`WHERE i.id = $1`, id))
	return inv, notFound(err, "no invitation %d", id)
}

// OpenInvitation is the newest invitation on the channel, not expired and
// not done, of a customer with this phone number: a reply on SMS or
// WhatsApp answers it.
func (db *DB) OpenInvitation(ctx context.Context, phone string, channel retain.Channel) (Invitation, bool, error) {
	inv, err := scanInvitation(db.read.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+`
		WHERE c.phone = $1 AND c.phone <> '' AND i.channel = $2 AND i.status <> 'done' AND i.expires_at > $3
		ORDER BY i.created_at DESC, i.id DESC LIMIT 1`, phone, channel, db.Now().UTC()))
	if err == sql.ErrNoRows {
		return inv, false, nil
	}
	if err != nil {
		return inv, false, fmt.Errorf("store: open invitation: %w", err)
	}
	return inv, true, nil
}

// SaveAnswers records an invitation's answers, status and what a reply
// answers next. It changes nothing on an invitation that is done or
// expired (a second tab, a late reply): saved is false then.
func (tx *Tx) SaveAnswers(ctx context.Context, inv Invitation) (saved bool, err error) {
	b, err := json.Marshal(inv.Answers)
	if err != nil {
		return false, err
	}
	var score any
	if inv.Score != nil {
		score = int64(*inv.Score)
	}
	res, err := tx.exec(ctx, `UPDATE survey_invitations SET answers = $2, status = $3, awaiting = $4, score = $5,
		answered_at = COALESCE(answered_at, $6), updated_at = $6
		WHERE id = $1 AND status <> 'done' AND expires_at > $6`, inv.ID, string(b), inv.Status, inv.Awaiting, score, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: save answers: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MarkReminded records that the invitation's one reminder went out; false
// when it already had one or is no longer open.
func (tx *Tx) MarkReminded(ctx context.Context, id int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE survey_invitations SET reminded = TRUE, updated_at = $2
		WHERE id = $1 AND NOT reminded AND status = 'open' AND expires_at > $2`, id, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: remind: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// InvitationRefs are the external ids a survey response names.
type InvitationRefs struct{ Staff, Order, Ticket string }

// InvitationRefs reads the external ids of an invitation's staff member,
// order and ticket.
func (db *DB) InvitationRefs(ctx context.Context, inv Invitation) (InvitationRefs, error) {
	var r InvitationRefs
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT external_id FROM staff WHERE id = $1), ''),
		COALESCE((SELECT external_id FROM orders WHERE id = $2), ''), COALESCE((SELECT external_id FROM tickets WHERE id = $3), '')`,
		nullID(inv.StaffID), nullID(inv.OrderID), nullID(inv.TicketID)).Scan(&r.Staff, &r.Order, &r.Ticket)
	if err != nil {
		return r, fmt.Errorf("store: invitation refs: %w", err)
	}
	return r, nil
}

// TicketID is a ticket's id by its external id.
func (tx *Tx) TicketID(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE external_id = $1`, externalID).Scan(&id)
	return id, notFound(err, "no ticket %q", externalID)
}

// OrderID is an order's id by its external id.
func (tx *Tx) OrderID(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM orders WHERE external_id = $1`, externalID).Scan(&id)
	return id, notFound(err, "no order %q", externalID)
}

// StaffByExternalID is a staff member's id by their external id.
func (tx *Tx) StaffByExternalID(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM staff WHERE external_id = $1`, externalID).Scan(&id)
	return id, notFound(err, "no staff member %q", externalID)
}

// PastInvitation is an invitation sent before Retain ran it: the demo's
// history, or one carried over from another survey tool.
type PastInvitation struct {
	Key, SurveyKey        string
	SurveyVersion         int
	CustomerRef, OrderRef string // external ids
	StaffRef              string // whom it was about
	Channel               retain.Channel
	Locale                string
	SentAt, ExpiresAt     time.Time
	ResponseExt           string    // the survey response it got ("" for none)
	Score                 *int      // its score, when answered
	AnsweredAt            time.Time // zero: never answered
}

// AddPastInvitations writes invitations that were sent and answered (or
// not) in the past, with the staff member's team as it is now; a key
// already there is left alone. Their tokens are random: no link to them
// was ever sent from here.
func (db *DB) AddPastInvitations(ctx context.Context, invs []PastInvitation) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		for _, in := range invs {
			var hash [16]byte
			if _, err := rand.Read(hash[:]); err != nil {
				return err
			}
			status, answers, score := InvitationOpen, "", any(nil)
			if in.Score != nil {
				status, score = InvitationDone, int64(*in.Score)
				answers = fmt.Sprintf(`{"score":"%d"}`, *in.Score)
			}
			resp := in.ResponseExt
			if resp == "" {
				resp = "survey:" + in.Key
			}
			_, err := tx.exec(ctx, `INSERT INTO survey_invitations (idempotency_key, token_hash, response_ext, survey_key, survey_version,
				customer_id, channel, locale, context, order_id, staff_id, team_id, status, answers, score, created_at, expires_at, answered_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, (SELECT id FROM customers WHERE external_id = $16), $6, $7, 'delivery',
					(SELECT id FROM orders WHERE external_id = $8), (SELECT id FROM staff WHERE external_id = $15),
					(SELECT team_id FROM staff WHERE external_id = $15), $9, $10, $11, $12, $13, $14, $12)
				ON CONFLICT (idempotency_key) DO NOTHING`,
				in.Key, hex.EncodeToString(hash[:]), resp, in.SurveyKey, in.SurveyVersion, in.Channel, in.Locale, in.OrderRef,
				status, answers, score, in.SentAt.UTC(), in.ExpiresAt.UTC(), timeArg(in.AnsweredAt), in.StaffRef, in.CustomerRef)
			if err != nil {
				return fmt.Errorf("store: past invitation %s: %w", in.Key, err)
			}
		}
		return nil
	})
}
