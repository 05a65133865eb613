// Package cli is Retain's command line: one file per subcommand, all built on
// one root command that owns the global flags. Nothing imports cli; it wires
// config, store, importer, httpapi and demo together.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/config"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// Exit statuses.
const (
	ExitOK       = 0
	ExitRejected = 1 // the command worked but refused some rows
	ExitFailed   = 2 // the command itself failed
)

// env is what a command runs with; tests build their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	cfg    config.Config
	log    *slog.Logger
	// scoring configures the runs serve schedules.
	scoring core.ScoreOptions
}

// exitCode lets a command finish with a status other than 0 or 2.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Run runs the retain command line and returns the exit status.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	e.cfg = config.Defaults(e.getenv)
	e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	root := e.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var code exitCode
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintln(stderr, "retain:", message(err))
		return ExitFailed
	}
}

// message is what a person sees for err: the message of a retain.Error as is.
func message(err error) string {
	var re *retain.Error
	if errors.As(err, &re) && re.Code != retain.EINTERNAL {
		return re.Error()
	}
	return err.Error()
}

func (e *env) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "retain",
		Short:         "Retain keeps the customers you have: who is unhappy, who is drifting away, and what to do about it",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return e.cfg.Validate()
		},
	}
	root.PersistentFlags().StringVar(&e.cfg.DB, "db", e.cfg.DB, "database: a SQLite file path or a postgres:// URL (env RETAIN_DB)")
	root.AddCommand(e.serveCommand(), e.importCommand(), e.reportCommand(), e.demoCommand(), e.migrateCommand(),
		e.backupCommand(), e.userCommand(), e.versionCommand(), e.scoreCommand(), e.scoresCommand(), e.evaluateCommand(), e.classifyCommand(),
		e.messagingCommand(), e.runDueCommand(), e.alertsCommand(), e.playbookCommand(), e.surveyCommand(), e.tasksCommand(), e.ownersCommand(), e.jobsCommand(), e.auditCommand(), e.ticketCommand(), e.deskCommand(), e.loyaltyCommand(), e.couponCommand(),
		e.deliveriesCommand(), e.calendarCommand(), e.couriersCommand())
	return root
}

// openDB opens the configured database. A new, empty database gets the
// schema; one whose schema is behind this binary is refused with the command
// that migrates it, so an upgrade never changes data by surprise.
// Clock is the time of every database the commands open (the store reads
// time through it); tests that run the commands as child processes pin it.
var Clock = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func (e *env) openDB(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, e.cfg.DB)
	if err != nil {
		return nil, err
	}
	db.Now = Clock
	if err := e.checkSchema(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if p, err := db.Pragmas(ctx); err != nil {
		db.Close()
		return nil, err
	} else if db.Dialect() == store.SQLite && (p["journal_mode"] != "wal" || p["synchronous"] != "2") {
		db.Close()
		return nil, fmt.Errorf("SQLite opened with journal_mode=%s synchronous=%s; Retain needs WAL and FULL (is the file on a network share?)",
			p["journal_mode"], p["synchronous"])
	}
	return db, nil
}

// withDB runs fn with the configured database open, and closes it.
func (e *env) withDB(cmd *cobra.Command, fn func(ctx context.Context, db *store.DB) error) error {
	ctx := cmd.Context()
	db, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(ctx, db)
}

// readInput reads the file named by arg, or standard input for "-".
func (e *env) readInput(arg string) ([]byte, error) {
	if arg == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(arg)
}

// printJSON writes v as indented JSON (the --json output of the commands).
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseID reads a numeric id argument.
func parseID(arg, what string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return 0, retain.Errorf(retain.EINVALID, "%s id %q is not a number", what, arg)
	}
	return id, nil
}

func (e *env) checkSchema(ctx context.Context, db *store.DB) error {
	st, err := db.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	switch {
	case st.Empty:
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
		e.log.Info("created a new database", "db", db.String())
	case st.Ahead():
		return retain.Errorf(retain.EMISMATCH, "the database %s is at schema version %d, newer than this Retain (%d): run a newer Retain",
			db, st.Current, st.Latest)
	case st.Behind():
		return retain.Errorf(retain.EMISMATCH, "the database %s is at schema version %d and this Retain needs %d: back it up (retain backup FILE) and run: retain migrate --db %q",
			db, st.Current, st.Latest, db.String())
	}
	return nil
}
