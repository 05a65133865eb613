package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) userCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage staff logins and API keys"}
	cmd.AddCommand(e.userAddCommand(), e.userListCommand(), e.userActiveCommand("disable", false),
		e.userActiveCommand("enable", true), e.apikeyCommand(), e.userCalendarCommand(), e.userTwoFactorResetCommand(), e.userRoleCommand(), e.userLinkCommand())
	return cmd
}

// cliActor is who the command line acts as in the audit log: whoever runs
// it can read the database file or URL already, so it may do everything.
var cliActor = retain.System("cli")

func (e *env) userLinkCommand() *cobra.Command {
	var base string
	var invite bool
	cmd := &cobra.Command{
		Use:   "reset-link EMAIL",
		Short: "Print a one-time link that sets a staff member's password (a forgotten one, even the only admin's); --invite for a first one",
		Long: `Prints a link that works once: a reset (24 hours) clears the old password and ends the person's
sessions; --invite (7 days) gives someone on the staff their first sign-in. Admins do the same from the
Staff page in the browser.`,
		Example: "  retain user reset-link owner@shop.com.bd --base-url https://retain.shop.com.bd",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				id, err := db.StaffID(ctx, args[0])
				if err != nil {
					return err
				}
				purpose := store.LinkReset
				if invite {
					purpose = store.LinkInvite
				}
				token, err := db.CreateAccountLink(ctx, cliActor, id, purpose)
				if err != nil {
					return err
				}
				if base == "" {
					base = "http://" + e.cfg.Addr
				}
				fmt.Fprintf(e.stdout, "%s/account/%s\n", strings.TrimSuffix(base, "/"), token)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&base, "base-url", "", "the address staff reach Retain at (default: http:// and --addr)")
	cmd.Flags().BoolVar(&invite, "invite", false, "a first invitation (7 days) instead of a reset")
	return cmd
}

func (e *env) userRoleCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "role EMAIL ROLE",
		Short:   "Change a staff login's role (admin, manager or agent); their sessions end, and the change is audited",
		Example: "  retain user role ayesha@shop.com.bd manager",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := db.SetUserRole(ctx, cliActor, args[0], retain.Role(args[1])); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s is now %s\n", args[0], args[1])
				return nil
			})
		},
	}
}

func (e *env) userTwoFactorResetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "2fa-reset EMAIL",
		Short: "Remove a staff login's two-step sign-in (a lost phone); they set it up again at their next sign-in if it is required",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := db.ResetTwoFactor(ctx, cliActor, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "two-step sign-in removed for %s\n", args[0])
				return nil
			})
		},
	}
}

func (e *env) userCalendarCommand() *cobra.Command {
	var revoke bool
	var base string
	cmd := &cobra.Command{
		Use:   "calendar EMAIL",
		Short: "Make a secret iCalendar feed URL of a staff member's tasks (Google Calendar, Outlook)",
		Long: `Prints a new secret URL; subscribe to it in Google Calendar ("From URL") or Outlook ("Subscribe from
web"). Anyone with the URL can read the tasks' titles, so treat it like a password: --revoke ends every
feed of that person.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if revoke {
					if err := db.RevokeCalendarFeeds(ctx, args[0]); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "calendar feeds of %s revoked\n", args[0])
					return nil
				}
				token, err := db.CreateCalendarFeed(ctx, args[0])
				if err != nil {
					return err
				}
				if base == "" {
					base = "http://" + e.cfg.Addr
				}
				fmt.Fprintf(e.stdout, "%s/calendar/%s.ics\n", strings.TrimSuffix(base, "/"), token)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&revoke, "revoke", false, "end every calendar feed of this person")
	cmd.Flags().StringVar(&base, "base-url", "", "the address staff reach Retain at (default: http:// and --addr)")
	return cmd
}

func (e *env) userAddCommand() *cobra.Command {
	var u store.User
	var fromStdin bool
	cmd := &cobra.Command{
		Use:     "add",
		Short:   "Add a staff login (prints a generated password unless --password-stdin)",
		Example: "  retain user add --email ayesha@shop.com.bd --name 'Ayesha Khan' --role manager --team Dhaka",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			password, generated := "", false
			if fromStdin {
				line, err := bufio.NewReader(e.stdin).ReadString('\n')
				if err != nil && line == "" {
					return retain.Errorf(retain.EINVALID, "--password-stdin: no password on standard input")
				}
				password = strings.TrimRight(line, "\r\n")
			} else {
				password, generated = auth.RandomPassword(), true
			}
			hash, err := auth.HashPassword(password)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "%v", err)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				u, err := db.AddUser(ctx, cliActor, u, hash)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "added %s (%s)\n", u.Email, u.Role)
				if generated { // printed, so seen: they choose their own at first sign-in
					if err := db.RequirePasswordChange(ctx, u.Email); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "they choose their own password at first sign-in\npassword (shown once): %s\n", password)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&u.Email, "email", "", "login email (required)")
	f.StringVar(&u.Name, "name", "", "display name (required)")
	f.StringVar((*string)(&u.Role), "role", "agent", "admin, manager or agent")
	f.StringVar(&u.Team, "team", "", "team name (created if new)")
	f.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	cmd.MarkFlagRequired("email")
	cmd.MarkFlagRequired("name")
	return cmd
}

func (e *env) userListCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List staff logins",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				users, err := db.ListUsers(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(e.stdout).Encode(users)
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "EMAIL\tNAME\tROLE\tTEAM\tACTIVE")
				for _, u := range users {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\n", u.Email, u.Name, u.Role, u.Team, u.Active)
				}
				return w.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (e *env) userActiveCommand(verb string, active bool) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " EMAIL",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " a staff login",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := db.SetUserActive(ctx, cliActor, args[0], active); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%sd %s\n", verb, args[0])
				return nil
			})
		},
	}
}

func (e *env) apikeyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "apikey", Short: "Create, list and revoke API keys"}
	var name, scopeList string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key (the key is printed once; send it as 'Authorization: Bearer KEY')",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				scopes, err := retain.ParseScopes(scopeList)
				if err != nil {
					return err
				}
				k, secret, err := db.CreateAPIKey(ctx, cliActor, name, scopes)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "created API key %d (%s) with scopes %s; it is shown once, store it now:\n", k.ID, k.Name, retain.JoinScopes(k.Scopes))
				fmt.Fprintln(e.stdout, secret)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "default", "what the key is for")
	create.Flags().StringVar(&scopeList, "scopes", string(retain.ScopeEventsWrite),
		"what the key may do, comma-separated: events:write (send events), read, write (read and act on alerts, tasks, customers), admin (everything)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				keys, err := db.ListAPIKeys(ctx)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tNAME\tPREFIX\tSCOPES\tCREATED\tSTATUS")
				for _, k := range keys {
					status := "active"
					if k.RevokedAt != nil {
						status = "revoked " + k.RevokedAt.Format(time.DateOnly)
					}
					fmt.Fprintf(w, "%d\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, retain.JoinScopes(k.Scopes), k.CreatedAt.Format(time.DateOnly), status)
				}
				return w.Flush()
			})
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "%q is not a key id (see retain user apikey list)", args[0])
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := db.RevokeAPIKey(ctx, cliActor, id); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "revoked API key %d\n", id)
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
