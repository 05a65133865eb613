package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/analytics"
	"github.com/retainhq/retain/internal/auth"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/demo"
	"github.com/retainhq/retain/internal/httpapi"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/web"
)

func (e *env) serveCommand() *cobra.Command {
	var withDemo bool
	var weights string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Retain server (API, health, metrics)",
		Long: `Run the Retain server on --addr (default 127.0.0.1:8080; env RETAIN_ADDR).
With no --db it uses ./retain-data/retain.db, created on first start. --demo fills an empty
database with a realistic demo business and creates a demo admin login.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if e.scoring.Weights, err = analytics.ParseHealthWeights(weights); err != nil {
				return retain.Errorf(retain.EINVALID, "--health-weights %v", err)
			}
			ctx := cmd.Context()
			db, err := e.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if withDemo {
				if err := e.loadDemo(ctx, db); err != nil {
					return err
				}
			}
			return e.serve(ctx, db, nil)
		},
	}
	cmd.Flags().StringVar(&e.cfg.Addr, "addr", e.cfg.Addr, "listen address HOST:PORT (env RETAIN_ADDR)")
	cmd.Flags().StringVar(&e.cfg.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	cmd.Flags().StringVar(&e.cfg.TLSKey, "tls-key", "", "the certificate's private key (PEM)")
	cmd.Flags().BoolVar(&e.cfg.BehindProxy, "behind-proxy", false,
		"a reverse proxy terminates TLS: believe its X-Forwarded-Proto and X-Forwarded-For (never set this when clients reach Retain directly)")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "load demo data into an empty database")
	cmd.Flags().StringVar(&weights, "health-weights", "", "health factor weights of the scheduled scoring runs (as retain score)")
	return cmd
}

// loadDemo fills an empty database with the demo business and a demo admin.
func (e *env) loadDemo(ctx context.Context, db *store.DB) error {
	held, err := db.HasCustomers(ctx)
	if err != nil {
		return err
	}
	if held { // counting a large database would only slow the start
		fmt.Fprintln(e.stdout, "the database already has customers; not loading demo data")
		return nil
	}
	start := time.Now()
	st, err := demo.Generate(ctx, db, demo.Options{Customers: demo.DefaultCustomers, Seed: 1, AsOf: Clock(), Loyalty: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "loaded demo data in %.1fs: %s\n", time.Since(start).Seconds(), st)
	if _, err := core.InstallBuiltins(ctx, db, true); err != nil { // the demo shows them at work
		return err
	}
	password := auth.RandomPassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if _, err := db.AddUser(ctx, cliActor, store.User{Email: "admin@demo.retain", Name: "Demo Admin", Role: "admin", Team: "Head office"}, hash); err != nil {
		return err
	}
	// The password was printed where others may see it: the first sign-in
	// asks for a new one before anything else.
	if err := db.RequirePasswordChange(ctx, "admin@demo.retain"); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo admin: admin@demo.retain, one-time password: %s (you choose your own at first sign-in)\n", password)
	return nil
}

// serve runs the HTTP server until ctx ends. ready, when set, receives the
// listener's address once it accepts connections (tests listen on :0).
func (e *env) serve(ctx context.Context, db *store.DB, ready chan<- string) error {
	if _, err := core.InstallBuiltins(ctx, db, false); err != nil {
		return err
	}
	// A database nobody can sign in to opens the setup wizard to whoever
	// holds this token, printed below for the person who started serve.
	setupToken := ""
	if has, err := db.HasLogin(ctx); err != nil {
		return err
	} else if !has {
		setupToken = auth.RandomToken()
	}
	metrics := httpapi.NewMetrics()
	jobs := e.jobs(db, metrics.Registerer())
	mux := http.NewServeMux()
	httpapi.New(mux, db, e.log, metrics)
	web.New(mux, db, e.log, web.Options{BehindProxy: e.cfg.BehindProxy, SetupToken: setupToken,
		ImportDir: filepath.Join(e.cfg.DataDir, "imports")})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	scheme := "http"
	if e.cfg.TLSCert != "" {
		// Loaded before the first request, so a bad file fails the start,
		// not a visitor's connection.
		cert, err := tls.LoadX509KeyPair(e.cfg.TLSCert, e.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return retain.Errorf(retain.EINVALID, "--tls-cert/--tls-key: %v", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln, scheme = tls.NewListener(ln, srv.TLSConfig), "https"
	}
	if setupToken != "" {
		fmt.Fprintf(e.stdout, "nobody can sign in yet: set Retain up in the browser at %s://%s/setup?token=%s\n", scheme, ln.Addr(), setupToken)
	}
	fmt.Fprintf(e.stdout, "Retain is serving on %s://%s (database %s); stop with Ctrl-C\n", scheme, ln.Addr(), db)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The background jobs (cli/jobs.go): each runs when due and its lease
	// in the database is free, so other serve processes on the same
	// database share the work instead of repeating it.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan error, 1)
	go func() { jobsDone <- jobs.Serve(jobsCtx) }()
	defer func() {
		stopJobs()
		if err := <-jobsDone; err != nil {
			e.log.Error("jobs", "err", err)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("stopped")
	return nil
}
