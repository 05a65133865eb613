package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

var accountsBy = retain.System("test")

// TestAccountLinkWorksOnce: an invitation sets a first password once; a
// second use, an expired link and a replaced link are all refused the
// same way, and a reset clears the old password and its sessions.
func TestAccountLinkWorksOnce(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			id, err := db.SaveMember(ctx, accountsBy, 0, store.MemberChange{Name: "Mitu Akter", Email: "Mitu@Shop.example", Role: retain.RoleAgent, Team: "Dhaka", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := db.HasLogin(ctx); ok {
				t.Fatal("a staff member without a sign-in counts as a login")
			}
			first, err := db.CreateAccountLink(ctx, accountsBy, id, store.LinkInvite)
			if err != nil {
				t.Fatal(err)
			}
			token, err := db.CreateAccountLink(ctx, accountsBy, id, store.LinkInvite)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.AccountLinkFor(ctx, first); !errors.Is(err, store.ErrLinkGone) {
				t.Errorf("a replaced invitation still works: %v", err)
			}
			l, err := db.AccountLinkFor(ctx, token)
			if err != nil || l.Email != "mitu@shop.example" || l.Purpose != store.LinkInvite {
				t.Fatalf("link: %+v, %v", l, err)
			}
			st, err := db.UseAccountLink(ctx, token, "hash-1")
			if err != nil || st.ID != id {
				t.Fatalf("use: %+v, %v", st, err)
			}
			if _, err := db.UseAccountLink(ctx, token, "hash-2"); !errors.Is(err, store.ErrLinkGone) {
				t.Errorf("a used link works again: %v", err)
			}
			if _, err := db.Login(ctx, "mitu@shop.example", func(h string) bool { return h == "hash-1" }); err != nil {
				t.Errorf("cannot sign in with the password the link set: %v", err)
			}
			if ok, _ := db.HasLogin(ctx); !ok {
				t.Error("HasLogin false after an invitation was accepted")
			}

			// A reset: the old password stops working and sessions end.
			session, err := db.CreateSession(ctx, id, time.Hour, false)
			if err != nil {
				t.Fatal(err)
			}
			reset, err := db.CreateAccountLink(ctx, accountsBy, id, store.LinkReset)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Login(ctx, "mitu@shop.example", func(h string) bool { return h == "hash-1" }); err == nil {
				t.Error("the old password still works after a reset")
			}
			if _, err := db.Session(ctx, session, time.Hour); err == nil {
				t.Error("a session outlived a reset")
			}
			// A day and a minute later the reset link has expired.
			now := db.Now
			db.Now = func() time.Time { return now().Add(store.ResetValidity + time.Minute) }
			if _, err := db.UseAccountLink(ctx, reset, "hash-3"); !errors.Is(err, store.ErrLinkGone) {
				t.Errorf("an expired reset link works: %v", err)
			}
		})
	}
}

// TestLastAdminStays: the last active admin cannot be demoted or disabled
// (nobody could manage staff from the browser again); with a second
// admin, both changes go through.
func TestLastAdminStays(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	u, err := db.AddUser(ctx, accountsBy, store.User{Email: "owner@shop.example", Name: "Owner", Role: retain.RoleAdmin}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	demote := store.MemberChange{Name: "Owner", Email: u.Email, Role: retain.RoleManager, Active: true}
	if _, err := db.SaveMember(ctx, accountsBy, u.ID, demote); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	disable := store.MemberChange{Name: "Owner", Email: u.Email, Role: retain.RoleAdmin}
	if _, err := db.SaveMember(ctx, accountsBy, u.ID, disable); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("disabling the last admin: %v", err)
	}
	if _, err := db.AddUser(ctx, accountsBy, store.User{Email: "second@shop.example", Name: "Second", Role: retain.RoleAdmin}, "hash"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveMember(ctx, accountsBy, u.ID, demote); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	m, err := db.Member(ctx, u.ID)
	if err != nil || m.Role != retain.RoleManager || !m.Signs() {
		t.Errorf("after demotion: %+v, %v", m, err)
	}
}

// TestChangePassword: the current password must be right; the change ends
// the person's other sessions but not the one making it, and settles a
// change that was due.
func TestChangePassword(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	u, err := db.AddUser(ctx, accountsBy, store.User{Email: "agent@shop.example", Name: "Agent", Role: retain.RoleAgent}, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RequirePasswordChange(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	here, _ := db.CreateSession(ctx, u.ID, time.Hour, false)
	there, _ := db.CreateSession(ctx, u.ID, time.Hour, false)
	if st, err := db.Session(ctx, here, time.Hour); err != nil || !st.PasswordChangeDue {
		t.Fatalf("the change is not due: %+v, %v", st, err)
	}
	is := func(want string) func(string) bool { return func(h string) bool { return h == want } }
	if err := db.ChangePassword(ctx, accountsBy, u.ID, is("wrong"), "new", here); !errors.Is(err, store.ErrWrongPassword) {
		t.Fatalf("a wrong current password: %v", err)
	}
	if err := db.ChangePassword(ctx, accountsBy, u.ID, is("old"), "new", here); err != nil {
		t.Fatal(err)
	}
	st, err := db.Session(ctx, here, time.Hour)
	if err != nil || st.PasswordChangeDue {
		t.Errorf("the session that changed it: %+v, %v", st, err)
	}
	if _, err := db.Session(ctx, there, time.Hour); err == nil {
		t.Error("another session outlived the password change")
	}
}
