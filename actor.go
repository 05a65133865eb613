package retain

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a staff member may do. Representatives never sign in: they
// are named in surveys and own customers, but hold no permission.
type Role string

// The roles, from most to least trusted.
const (
	RoleAdmin          Role = "admin"
	RoleManager        Role = "manager"
	RoleAgent          Role = "agent"
	RoleRepresentative Role = "representative"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleManager, RoleAgent, RoleRepresentative}

// Permission names one kind of action. Every web and API route names the
// one it needs where it is registered; docs/permissions.md is the table.
type Permission string

// The permissions.
const (
	// PermPublic needs no sign-in: the route is guarded by something else
	// (a gateway's signature, an unguessable token in the link) or by nothing
	// (probes, the sign-in form).
	PermPublic Permission = "public"
	// PermSignedIn is any signed-in staff member: their own preferences,
	// signing out.
	PermSignedIn Permission = "signed_in"

	PermDashboard       Permission = "dashboard:read"
	PermCustomersRead   Permission = "customers:read"   // lists, 360, scores, within the actor's scope
	PermCustomersWrite  Permission = "customers:write"  // notes and logged calls or visits
	PermCustomersExport Permission = "customers:export" // CSV of the list
	PermCustomersAssign Permission = "customers:assign" // give customers an owner
	PermWorkRead        Permission = "work:read"        // alerts and tasks, within scope
	PermWorkAct         Permission = "work:act"         // complete, snooze, resolve, within scope
	PermWorkAssign      Permission = "work:assign"      // hand work to someone else
	PermPlaybooksRead   Permission = "playbooks:read"
	PermPlaybooksManage Permission = "playbooks:manage" // switch on and off, edit
	PermMessagesRead    Permission = "messages:read"    // the message log
	PermEventsWrite     Permission = "events:write"     // send events (orders, surveys, …)
	PermSettingsManage  Permission = "settings:manage"  // channels, business settings, test sends
	PermKeysManage      Permission = "keys:manage"      // API keys
	PermUsersManage     Permission = "users:manage"     // staff logins, roles, two-factor resets
	PermAuditRead       Permission = "audit:read"
	PermRatingsStaff    Permission = "ratings:staff"  // "who helped you?" ratings person by person (teams: dashboard:read)
	PermTicketsRead     Permission = "tickets:read"   // the support desk's inbox and threads
	PermTicketsWork     Permission = "tickets:work"   // reply, add notes, change status, priority and assignee
	PermLoyaltyRedeem   Permission = "loyalty:redeem" // spend a customer's points at the counter or the till
	PermLoyaltyManage   Permission = "loyalty:manage" // the programme's settings, adjusting a customer's points
)

// Permissions lists every permission but PermPublic.
var Permissions = []Permission{PermSignedIn, PermDashboard, PermCustomersRead, PermCustomersWrite, PermCustomersExport,
	PermCustomersAssign, PermWorkRead, PermWorkAct, PermWorkAssign, PermPlaybooksRead, PermPlaybooksManage,
	PermMessagesRead, PermEventsWrite, PermSettingsManage, PermKeysManage, PermUsersManage, PermAuditRead, PermRatingsStaff,
	PermTicketsRead, PermTicketsWork, PermLoyaltyRedeem, PermLoyaltyManage}

// agentPermissions are what every signed-in role may do; an agent's reach is
// also narrowed by scope (their own customers and work).
// An agent may hand their own work to a colleague.
var agentPermissions = []Permission{PermSignedIn, PermDashboard, PermCustomersRead, PermCustomersWrite,
	PermWorkRead, PermWorkAct, PermWorkAssign, PermPlaybooksRead, PermTicketsRead, PermTicketsWork, PermLoyaltyRedeem}

// managerPermissions add running a team: exports, customers' owners,
// playbooks, the message log and each person's ratings.
var managerPermissions = append(slices.Clone(agentPermissions), PermCustomersExport, PermCustomersAssign,
	PermPlaybooksManage, PermMessagesRead, PermRatingsStaff, PermLoyaltyManage)

// RolePermissions is what each role may do. Admins may do everything.
var RolePermissions = map[Role][]Permission{
	RoleAdmin:   Permissions,
	RoleManager: managerPermissions,
	RoleAgent:   agentPermissions,
}

// Scope is what an API key may do, chosen when it is made.
type Scope string

// The scopes.
const (
	ScopeEventsWrite Scope = "events:write" // send events only: what a shop's backend needs
	ScopeRead        Scope = "read"         // read customers, scores, alerts, tasks, playbooks
	ScopeWrite       Scope = "write"        // read, and act on alerts, tasks and customers
	ScopeAdmin       Scope = "admin"        // everything, settings and playbooks included
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeEventsWrite, ScopeRead, ScopeWrite, ScopeAdmin}

var readPermissions = []Permission{PermDashboard, PermCustomersRead, PermWorkRead, PermPlaybooksRead, PermMessagesRead, PermTicketsRead}

// ScopePermissions is what each scope grants.
var ScopePermissions = map[Scope][]Permission{
	ScopeEventsWrite: {PermEventsWrite},
	ScopeRead:        readPermissions,
	ScopeWrite: append(slices.Clone(readPermissions), PermCustomersWrite, PermCustomersAssign, PermWorkAct, PermWorkAssign,
		PermTicketsWork, PermLoyaltyRedeem),
	ScopeAdmin: Permissions,
}

// ParseScopes reads a comma-separated list of scopes ("events:write,read").
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, part := range strings.Split(s, ",") {
		sc := Scope(strings.TrimSpace(part))
		if sc == "" {
			continue
		}
		if !slices.Contains(Scopes, sc) {
			return nil, FieldError("scopes", "%q is not one of %s", sc, JoinScopes(Scopes))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, FieldError("scopes", "choose at least one of %s", JoinScopes(Scopes))
	}
	return out, nil
}

// JoinScopes writes scopes as ParseScopes reads them.
func JoinScopes(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range scopes {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// ActorKind is who acts: a signed-in staff member, an API key, or Retain
// itself (its jobs and the command line, run by whoever holds the server).
type ActorKind string

// The kinds of actor.
const (
	ActorStaff  ActorKind = "staff"
	ActorAPIKey ActorKind = "api_key"
	ActorSystem ActorKind = "system"
)

// Actor is who performs an action: every core write is given one, checks its
// permission and records it in the audit log.
type Actor struct {
	Kind   ActorKind
	ID     int64  // staff or API key id
	Name   string // the staff member's e-mail, the key's name, the system part
	Role   Role   // staff only
	TeamID int64  // staff only
	Scopes []Scope
}

// System is Retain acting on its own (a job) or for the operator at the
// command line, who can already read the database: it may do everything.
func System(part string) Actor { return Actor{Kind: ActorSystem, Name: part} }

// StaffActor is a signed-in staff member.
func StaffActor(id int64, email string, role Role, teamID int64) Actor {
	return Actor{Kind: ActorStaff, ID: id, Name: email, Role: role, TeamID: teamID}
}

// KeyActor is a request made with an API key.
func KeyActor(id int64, name string, scopes []Scope) Actor {
	return Actor{Kind: ActorAPIKey, ID: id, Name: name, Scopes: scopes}
}

// Can reports whether the actor holds permission p.
func (a Actor) Can(p Permission) bool {
	switch {
	case p == PermPublic:
		return true
	case a.Kind == ActorSystem:
		return true
	case a.Kind == ActorStaff:
		return slices.Contains(RolePermissions[a.Role], p)
	case a.Kind == ActorAPIKey:
		for _, s := range a.Scopes {
			if slices.Contains(ScopePermissions[s], p) {
				return true
			}
		}
	}
	return false
}

// Require returns an EFORBIDDEN error unless the actor holds p.
func (a Actor) Require(p Permission) error {
	if a.Can(p) {
		return nil
	}
	return Errorf(EFORBIDDEN, "%s may not do this (needs %s)", a, p)
}

// String is how the audit log names the actor: "staff:ana@shop.com",
// "api_key:3", "system:cli".
func (a Actor) String() string {
	switch a.Kind {
	case ActorStaff:
		return "staff:" + a.Name
	case ActorAPIKey:
		return fmt.Sprintf("api_key:%d", a.ID)
	case ActorSystem:
		return "system:" + a.Name
	}
	return "anonymous"
}
