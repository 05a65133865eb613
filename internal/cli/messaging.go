package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/scheduler"
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
				id, err := ch.Send(ctx, messaging.Outgoing{Key: fmt.Sprintf("test-%d", time.Now().UnixNano()), Channel: args[0],
					Purpose: "transactional", Kind: "test", To: to, Body: body})
				if err != nil {
					return fmt.Errorf("test message through %s failed: %w", args[0], err)
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

// newSender builds the outbox sender from the stored settings.
func (e *env) newSender(ctx context.Context, db *store.DB) (*scheduler.Sender, error) {
	s, err := core.MessagingSettings(ctx, db)
	if err != nil {
		return nil, err
	}
	chans, policy, err := s.Build()
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	timeout, lease := s.Timeouts()
	sender := &scheduler.Sender{DB: db, Channels: chans, Policy: policy, Log: e.log, Timeout: timeout, Lease: lease,
		Owner: fmt.Sprintf("%s/%d", host, os.Getpid())}
	links, err := core.UnsubscribeLinks(ctx, db, s.PublicURL)
	if err != nil {
		return nil, err
	}
	if links != nil {
		sender.UnsubscribeURL = func(c store.Claimed) string { return links(c.CustomerID, c.Channel) }
	}
	return sender, nil
}

func (e *env) runDueCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run-due",
		Short: "Run one pass of the scheduler: alerts from new signals, due playbook steps, due messages",
		Long: `Turns new survey answers, order events and tickets into alerts and playbook enrollments, runs every
playbook step that is due, then claims due messages from the outbox and sends them, re-checking consent,
quiet hours and frequency caps just before each call. serve does this continuously; run-due is for cron
or for a look at what happens.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				sender, err := e.newSender(ctx, db)
				if err != nil {
					return err
				}
				runner, err := e.newRunner(ctx, db)
				if err != nil {
					return err
				}
				det, err := core.Detect(ctx, db, core.DetectOptions{})
				if err != nil {
					return err
				}
				fromScores, err := core.DetectFromScores(ctx, db)
				if err != nil {
					return err
				}
				det.Raised, det.Repeated, det.Enrolled = det.Raised+fromScores.Raised, det.Repeated+fromScores.Repeated, det.Enrolled+fromScores.Enrolled
				run, err := runner.RunDue(ctx)
				if err != nil {
					return err
				}
				st, err := sender.RunOnce(ctx)
				if asJSON {
					json.NewEncoder(e.stdout).Encode(map[string]any{"detect": det, "playbooks": run, "send": st})
				} else {
					fmt.Fprintf(e.stdout, "signals: %d new, %d alerts raised, %d repeats of open alerts, %d enrollments\n", det.Signals, det.Raised, det.Repeated, det.Enrolled)
					fmt.Fprintf(e.stdout, "playbooks: %d enrollments advanced, %d steps, %d messages queued, %d tasks, %d ended\n", run.Claimed, run.Steps, run.Messages, run.Tasks, run.Ended)
					fmt.Fprintf(e.stdout, "messages: %d claimed, %d sent, %d to retry, %d deferred (quiet hours), %d suppressed (consent), %d capped, %d failed, %d dead, %d expired, %d unknown\n",
						st.Claimed, st.Sent, st.Retried, st.Deferred, st.Suppressed, st.Capped, st.Failed, st.Dead, st.Expired, st.Unknown)
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}
