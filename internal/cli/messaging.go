package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/store"
)

func (e *env) messagingCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "messaging",
		Short: "Configure the message channels (SMS gateway, WhatsApp, webhooks), quiet hours and caps",
	}
	set := &cobra.Command{
		Use:   "set FILE",
		Short: "Check and store the messaging settings from a JSON file (- for standard input)",
		Long:  "The document is described in docs/messaging.md. It is checked before it is stored: an error names the field.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := e.readInput(args[0])
			if err != nil {
				return err
			}
			s, err := messaging.ParseSettings(b)
			if err != nil {
				return retain.Errorf(retain.EINVALID, "%v", err)
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				norm, _ := json.Marshal(s)
				if err := db.SetSetting(ctx, messaging.SettingsKey, string(norm)); err != nil {
					return err
				}
				chans, _, _ := s.Build()
				fmt.Fprintf(e.stdout, "messaging settings stored; channels: %d\n", len(chans))
				return nil
			})
		},
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the messaging settings (secrets masked)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				s, err := core.MessagingSettings(ctx, db)
				if err != nil {
					return err
				}
				return e.printJSON(s.Masked())
			})
		},
	}
	var to, body string
	test := &cobra.Command{
		Use:   "test CHANNEL",
		Short: "Send a test message now through a channel (sms, whatsapp, webhook), outside the outbox",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				s, err := core.MessagingSettings(ctx, db)
				if err != nil {
					return err
				}
				chans, _, err := s.Build()
				if err != nil {
					return retain.Errorf(retain.EINVALID, "%v", err)
				}
				ch := chans[args[0]]
				if ch == nil {
					return retain.Errorf(retain.EINVALID, "no %s channel is configured (retain messaging set)", args[0])
				}
				id, err := ch.Send(ctx, messaging.Outgoing{Key: fmt.Sprintf("test-%d", time.Now().UnixNano()), Channel: retain.Channel(args[0]),
					Purpose: retain.PurposeTransactional, Kind: "test", To: to, Body: body})
				if err != nil {
					return fmt.Errorf("test message through %s failed: %s", args[0], messaging.Redact(err.Error()))
				}
				fmt.Fprintf(e.stdout, "sent; the gateway's id: %q\n", id)
				return nil
			})
		},
	}
	test.Flags().StringVar(&to, "to", "", "recipient: phone number (E.164) or webhook URL")
	test.Flags().StringVar(&body, "body", "Retain test message", "text (a JSON document for webhooks)")
	_ = test.MarkFlagRequired("to")
	cmd.AddCommand(set, show, test)
	return cmd
}

func (e *env) runDueCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run-due",
		Short: "Run every background job once, now: what serve runs all the time (see retain jobs list)",
		Long: `Runs the jobs serve runs, once each and in order: score (when due), owners, detect (alerts and playbook
enrollments from the change log), timers (late deliveries, renewals, snoozes ending), score-alerts,
playbooks (due steps), send (due messages, re-checking consent, quiet hours and caps just before each
call) and dashboard. For cron, or for a look at what happens; a job another process is running is
skipped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				return e.runJobs(ctx, db, nil, asJSON)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}
