package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// Queued imports: a file uploaded in the browser is not imported inside
// the request that asked for it (a million rows outlast any request's
// timeout, and a closed tab would stop them). It is queued, and the
// "imports" job runs it with progress the result page shows, its first
// refusals kept with their reason codes, and a rejects file to download.

// KeepRefused is how many refused rows a queued import keeps with their
// reasons for its result page; the rejects file has every one.
const KeepRefused = 200

// KeepRejects is how long a queued import's rejects file stays to be
// downloaded.
const KeepRejects = 30 * 24 * time.Hour

// Request is what a queued import is asked to do: the Options that survive
// a restart (a zone by name, no callbacks).
type Request struct {
	Kind         string            `json:"kind"`
	Map          map[string]string `json:"map,omitempty"`
	Ignore       []string          `json:"ignore,omitempty"`
	Currency     string            `json:"currency,omitempty"`
	TimeZone     string            `json:"time_zone,omitempty"`
	PhoneCountry string            `json:"phone_country,omitempty"`
}

// Queue records the CSV file at path, shown to people as name, for the
// imports job, which reads it, writes its refused rows next to it and
// removes it when done. It returns the import's id.
func Queue(ctx context.Context, db *store.DB, path, name string, req Request, by retain.Actor) (int64, error) {
	if _, ok := kindFields[req.Kind]; !ok {
		return 0, retain.Errorf(retain.EINVALID, "unknown import kind %q (one of %s)", req.Kind, strings.Join(Kinds(), ", "))
	}
	if req.TimeZone != "" {
		if err := retain.CheckTimeZone(req.TimeZone); err != nil {
			return 0, err
		}
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return 0, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	opts, _ := json.Marshal(req) // strings only: cannot fail
	return db.QueueImport(ctx, store.ImportRun{Kind: req.Kind, Format: "csv", FileName: name, FileSHA256: sum, SourcePath: path,
		RejectsPath: strings.TrimSuffix(path, ".csv") + ".rejects.csv", Options: string(opts), RequestedBy: by.String(), BytesTotal: info.Size()})
}

// Interrupted is the error a queued import is left with when the process
// running it stopped.
const Interrupted = "interrupted: the server stopped during the import"

// RunQueued is the imports job: it fails the imports a stopped process
// left running and runs every queued import in turn. It says what it did.
// Runs with nothing to do only read (the job runs every few seconds).
func RunQueued(ctx context.Context, db *store.DB) (string, error) {
	queue, err := db.QueuedImports(ctx)
	if err != nil {
		return "", err
	}
	var did []string
	if slices.ContainsFunc(queue, func(r store.ImportRun) bool { return r.Status == "running" }) {
		n, err := db.AbandonImports(ctx, Interrupted)
		if err != nil {
			return "", err
		}
		did = append(did, fmt.Sprintf("%d interrupted imports failed", n))
	}
	for _, q := range queue {
		if ctx.Err() != nil || q.Status != "queued" {
			continue
		}
		// The file is on the machine of the process it was uploaded to: one
		// that cannot see it leaves the import queued for one that can.
		if _, err := os.Stat(q.SourcePath); err != nil {
			continue
		}
		run, ok, err := db.ClaimImport(ctx, q.ID)
		if err != nil {
			return strings.Join(did, "; "), err
		}
		if !ok {
			continue
		}
		res, err := runQueued(ctx, db, run)
		switch {
		case err != nil && ctx.Err() != nil:
			return strings.Join(did, "; "), err
		case err != nil: // recorded on the import, for its page; said here for the log
			did = append(did, fmt.Sprintf("import %d (%s) stopped after %d rows: %v", run.ID, run.Kind, res.Read, err))
		default:
			did = append(did, fmt.Sprintf("import %d (%s): %d of %d rows imported", run.ID, run.Kind, res.Imported, res.Read))
		}
	}
	return strings.Join(did, "; "), ctx.Err()
}

// ExpireRejects removes the rejects files of browser imports that finished
// more than KeepRejects ago (the prune job's work) and says how many.
func ExpireRejects(ctx context.Context, db *store.DB) (int, error) {
	old, err := db.ExpireRejects(ctx, db.Now().Add(-KeepRejects))
	if err != nil {
		return 0, err
	}
	for _, p := range old {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
	}
	return len(old), nil
}

// runQueued runs one claimed import (runFile records its progress). A
// file that cannot be imported as a whole (its header, say) fails the
// import, not the job: its error is on the import's page.
func runQueued(ctx context.Context, db *store.DB, run store.ImportRun) (Result, error) {
	defer os.Remove(run.SourcePath)
	var req Request
	opts := Options{Format: "csv", Keep: KeepRefused}
	err := json.Unmarshal([]byte(run.Options), &req)
	if err == nil && req.TimeZone != "" {
		opts.Location, err = time.LoadLocation(req.TimeZone)
	}
	if err != nil {
		return Result{}, db.FinishImport(context.WithoutCancel(ctx), run.ID, store.ImportRun{}, "options: "+err.Error())
	}
	opts.Kind, opts.Map, opts.Ignore, opts.Currency, opts.PhoneCountry = req.Kind, req.Map, req.Ignore, req.Currency, req.PhoneCountry
	return runFile(ctx, db, run.ID, run.SourcePath, run.RejectsPath, opts)
}

// Refusals are a finished import's first refused rows, as kept.
func Refusals(run store.ImportRun) ([]Refusal, error) {
	if run.Refused == "" {
		return nil, nil
	}
	var out []Refusal
	if err := json.Unmarshal([]byte(run.Refused), &out); err != nil {
		return nil, fmt.Errorf("import %d: refusals: %w", run.ID, err)
	}
	return out, nil
}
