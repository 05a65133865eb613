package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/i18n"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

// staffData is the staff page: everyone on the staff, the add form and,
// once, a sign-in link just made.
type staffData struct {
	Members []store.Member
	Teams   []store.Team
	// TeamID is the team whose form was refused (-1 the add form), TeamName
	// what it held and TeamError why.
	TeamID    int64
	TeamName  string
	TeamError string
	Roles     []retain.Role
	// Form is what the add form held when it was refused (EditID 0) or the
	// edit form of member EditID; Fields says what was wrong, by field.
	Form   store.MemberChange
	EditID int64
	Fields fieldErrors
	// Link is a one-time sign-in link just made for LinkFor, shown once;
	// LinkMail says whether it was also emailed to them: "sent", "failed"
	// (the gateway refused it: the admin passes it on), or "" (email or the
	// public URL is not set up).
	Link     string
	LinkFor  string
	LinkMail string
	Notice   string
	Problem  string
	status   int
}

// staffPage lists the staff: logins, people invited, and representatives
// who never sign in (riders, shop assistants) but are rated and own visits.
func (s *Server) staffPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderStaff(w, r, v, staffData{Form: store.MemberChange{Role: retain.RoleAgent, Active: true}})
}

func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, v *view, d staffData) error {
	var err error
	if d.Members, err = s.db.Members(r.Context()); err != nil {
		return err
	}
	if d.Teams, err = s.db.TeamList(r.Context()); err != nil {
		return err
	}
	d.Roles = retain.Roles
	v.Title, v.Data = v.L.T("staff.title"), d
	s.renderStatus(w, d.status, "staff", v)
	return nil
}

// memberForm reads and checks a staff form; invite says a sign-in link
// will be made, which needs an email and a role that signs in.
func memberForm(r *http.Request, v *view, invite bool) (store.MemberChange, fieldErrors) {
	c := store.MemberChange{Name: strings.TrimSpace(r.FormValue("name")), Email: strings.TrimSpace(r.FormValue("email")),
		Phone: strings.TrimSpace(r.FormValue("phone")), Role: retain.Role(r.FormValue("role")), Team: strings.TrimSpace(r.FormValue("team")),
		Active: r.FormValue("active") == "1"}
	bad := fieldErrors{}
	if c.Name == "" {
		bad.add(v, "name", "form.required")
	} else if len(c.Name) > 200 {
		bad.add(v, "name", "form.too_long", "Max", 200)
	}
	if c.Email != "" {
		if e, err := retain.NormalizeEmail(c.Email); err != nil {
			bad.add(v, "email", "form.email_bad")
		} else {
			c.Email = e
		}
	} else if invite {
		bad.add(v, "email", "staff.email_for_link")
	}
	if c.Phone != "" {
		if p, err := retain.NormalizePhone(c.Phone, ""); err != nil {
			bad.add(v, "phone", "form.phone_bad")
		} else {
			c.Phone = p
		}
	}
	switch {
	case !slices.Contains(retain.Roles, c.Role):
		bad.add(v, "role", "form.choose")
	case invite && c.Role == retain.RoleRepresentative:
		bad.add(v, "role", "staff.representative_no_login")
	}
	if len(c.Team) > 100 {
		bad.add(v, "team", "form.too_long", "Max", 100)
	}
	return c, bad
}

// staffCreate adds a staff member and, when asked, makes their invitation.
func (s *Server) staffCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	invite := r.FormValue("invite") == "1"
	c, bad := memberForm(r, v, invite)
	c.Active = true
	if len(bad) > 0 {
		return s.renderStaff(w, r, v, staffData{Form: c, Fields: bad, status: http.StatusBadRequest})
	}
	id, err := s.db.SaveMember(r.Context(), v.Actor, 0, c)
	if err != nil {
		return s.staffRefused(w, r, v, 0, c, err)
	}
	if !invite {
		return s.renderStaff(w, r, v, staffData{Form: store.MemberChange{Role: retain.RoleAgent}, Notice: v.L.T("staff.added", "Name", c.Name)})
	}
	return s.makeLink(w, r, v, id, store.LinkInvite)
}

// staffUpdate changes a staff member: name, contact, role, team, enabled.
func (s *Server) staffUpdate(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return retain.Errorf(retain.ENOTFOUND, "no staff member %q", r.PathValue("id"))
	}
	c, bad := memberForm(r, v, false)
	if len(bad) > 0 {
		return s.renderStaff(w, r, v, staffData{Form: c, EditID: id, Fields: bad, status: http.StatusBadRequest})
	}
	if _, err := s.db.SaveMember(r.Context(), v.Actor, id, c); err != nil {
		return s.staffRefused(w, r, v, id, c, err)
	}
	return s.renderStaff(w, r, v, staffData{Notice: v.L.T("staff.saved", "Name", c.Name)})
}

// staffRefused shows why the store refused a staff form, in the reader's
// words: at the field when it is one field's fault.
func (s *Server) staffRefused(w http.ResponseWriter, r *http.Request, v *view, id int64, c store.MemberChange, err error) error {
	d := staffData{Form: c, EditID: id, Fields: fieldErrors{}, status: http.StatusConflict}
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		d.Problem = v.L.T("staff.last_admin")
	case errors.Is(err, store.ErrEmailTaken):
		d.Fields.add(v, "email", "staff.email_taken")
	case errors.Is(err, store.ErrNoLogin):
		d.Problem, d.status = v.L.T("staff.no_login"), http.StatusBadRequest
	case retain.ErrorCode(err) == retain.EINVALID:
		d.Fields, d.status = invalidFields(v, err), http.StatusBadRequest
	default:
		return err
	}
	return s.renderStaff(w, r, v, d)
}

// teamSave adds a team (no id in the path) or renames one.
func (s *Server) teamSave(w http.ResponseWriter, r *http.Request, v *view) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = strconv.ParseInt(r.PathValue("id"), 10, 64); err != nil {
			return retain.Errorf(retain.ENOTFOUND, "no team %q", r.PathValue("id"))
		}
	}
	name := r.FormValue("name")
	if _, err := s.db.SaveTeam(r.Context(), v.Actor, id, name); err != nil {
		return s.teamRefused(w, r, v, id, name, err)
	}
	return s.renderStaff(w, r, v, staffData{Form: store.MemberChange{Role: retain.RoleAgent, Active: true}, Notice: v.L.T("staff.team_saved", "Team", strings.TrimSpace(name))})
}

// teamDelete deletes a team nobody is in.
func (s *Server) teamDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return retain.Errorf(retain.ENOTFOUND, "no team %q", r.PathValue("id"))
	}
	if err := s.db.DeleteTeam(r.Context(), v.Actor, id); err != nil {
		return s.teamRefused(w, r, v, id, "", err)
	}
	return s.renderStaff(w, r, v, staffData{Form: store.MemberChange{Role: retain.RoleAgent, Active: true}, Notice: v.L.T("staff.team_deleted")})
}

// teamRefused shows the staff page with a team form's refusal next to it.
func (s *Server) teamRefused(w http.ResponseWriter, r *http.Request, v *view, id int64, name string, err error) error {
	d := staffData{Form: store.MemberChange{Role: retain.RoleAgent, Active: true}, TeamID: id, TeamName: name, status: http.StatusConflict}
	if id == 0 {
		d.TeamID = -1
	}
	switch {
	case errors.Is(err, store.ErrTeamTaken):
		d.TeamError = v.L.T("staff.team_taken")
	case errors.Is(err, store.ErrTeamInUse):
		d.TeamError = v.L.T("staff.team_in_use")
	case retain.ErrorCode(err) == retain.EINVALID:
		d.TeamError, d.status = invalidFields(v, err)["name"], http.StatusBadRequest
	default:
		return err
	}
	return s.renderStaff(w, r, v, d)
}

// staffLink makes a one-time link for a staff member: an invitation that
// sets their first password, or a reset that replaces a lost one.
func (s *Server) staffLink(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return retain.Errorf(retain.ENOTFOUND, "no staff member %q", r.PathValue("id"))
	}
	purpose := r.FormValue("purpose")
	if purpose != store.LinkInvite && purpose != store.LinkReset {
		return problem(v, http.StatusBadRequest, "form.choose")
	}
	return s.makeLink(w, r, v, id, purpose)
}

// makeLink makes the link, shows it once to the admin and, when email is
// set up and the business's public URL is known, mails it to the person.
func (s *Server) makeLink(w http.ResponseWriter, r *http.Request, v *view, id int64, purpose string) error {
	m, err := s.db.Member(r.Context(), id)
	if err != nil {
		return err
	}
	token, err := s.db.CreateAccountLink(r.Context(), v.Actor, id, purpose)
	if err != nil {
		return s.staffRefused(w, r, v, id, store.MemberChange{Name: m.Name, Email: m.Email, Phone: m.Phone, Role: m.Role, Team: m.Team, Active: m.Active}, err)
	}
	link := s.publicBase(r) + "/account/" + token
	d := staffData{Form: store.MemberChange{Role: retain.RoleAgent}, Link: link, LinkFor: m.Name}
	d.LinkMail = s.mailLink(r, m, purpose, link)
	return s.renderStaff(w, r, v, d)
}

// mailLink sends a sign-in link by email, only to a link on the configured
// public URL (never one built from a request's Host header). It says
// "sent", "failed" (logged, without the link) or "" when email is not set
// up. It goes to the email channel at once instead of through the outbox:
// the link is a password in all but name, and the outbox keeps what it
// sends where message viewers read it; and the admin is there to hear that
// it failed and pass on the link shown instead, which is the retry.
func (s *Server) mailLink(r *http.Request, m store.Member, purpose, link string) string {
	live, err := s.live.Messaging(r.Context())
	if err != nil || live.Settings.PublicURL == "" || live.Channels["email"] == nil {
		return ""
	}
	name := live.Settings.BusinessName
	if name == "" {
		name = "Retain"
	}
	l := i18n.New(m.Locale, true) // in their language, not the admin's
	_, err = live.Channels["email"].Send(r.Context(), messaging.Outgoing{
		Key: fmt.Sprintf("account-%s-%d-%d", purpose, m.ID, s.db.Now().UnixNano()), Channel: retain.ChannelEmail, Purpose: retain.PurposeTransactional,
		Kind: "account_" + purpose, To: m.Email, Subject: l.T("account.mail_subject_"+purpose, "Business", name),
		Body: l.T("account.mail_body_"+purpose, "Name", m.Name, "Business", name, "Link", link)})
	if err != nil {
		s.log.Error("account link mail", "staff", m.ID, "err", messaging.Redact(err.Error()))
		return "failed"
	}
	return "sent"
}
