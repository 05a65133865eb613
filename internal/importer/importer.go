// Package importer streams customers, orders, order lines, order events,
// tickets and survey responses from CSV, JSON lines, the CDNOW transaction
// files and Shopify's orders export into the store.
//
// Rows are upserted by external id in batches, each batch one transaction,
// so importing a file twice changes nothing and a killed import re-run on
// the same file ends with every row imported exactly once. A bad row never
// stops an import and is never dropped silently: it goes to the rejects file
// with its line number and the reason.
package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// Formats of input files.
var Formats = []string{"csv", "jsonl", "cdnow", "shopify"}

// Options configure one import.
type Options struct {
	Kind   string            // customers, orders, order-lines, order-events, tickets, survey-responses, subscriptions
	Format string            // csv, jsonl, cdnow, shopify; "" picks by file name
	Map    map[string]string // input column → field
	Ignore []string          // input columns to skip

	Currency     string         // for amounts without a currency column
	Location     *time.Location // for times without an offset
	PhoneCountry string         // ISO 3166 code for national phone numbers (BD, NP)
	BatchSize    int            // rows per transaction
	// BatchBytes bounds a batch by the size of its rows too (default 1 MiB),
	// so memory stays bounded however wide the rows are: 2,000 rows of
	// 10,000 columns made one batch of 3 GB.
	BatchBytes int

	// Progress, when set, is called after every batch with rows read and
	// bytes consumed.
	Progress func(rows, bytes int64)
	// Keep is how many refused rows Result.Refused holds, with their
	// reasons as codes (the browser says them in its reader's language);
	// the rejects file always has them all.
	Keep int
}

func (o *Options) setDefaults() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 20000
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 1 << 20
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
}

// Result counts what an import did.
type Result struct {
	ImportID    int64
	Read        int64  // data rows read
	Imported    int64  // rows stored
	Rejected    int64  // rows refused, each written to RejectsPath
	RejectsPath string // "" when nothing was rejected
	Refused     []Refusal
}

// A Refusal is a refused row: its line and why, field by field.
type Refusal struct {
	Line     int             `json:"line"`
	Problems retain.Problems `json:"problems"`
}

// DetectFormat guesses a format from a file name.
func DetectFormat(name string) string {
	switch {
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".json"):
		return "jsonl"
	case strings.HasSuffix(name, ".txt"):
		return "cdnow"
	}
	return "csv"
}

// File imports the file at path; rejects are written to rejectsPath (by
// default next to the input, as NAME.rejects.csv).
func File(ctx context.Context, db *store.DB, path, rejectsPath string, opts Options) (Result, error) {
	if opts.Format == "" {
		opts.Format = DetectFormat(path)
	}
	if rejectsPath == "" {
		rejectsPath = path + ".rejects.csv"
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return Result{}, err
	}
	var size int64
	if info, err := os.Stat(path); err == nil {
		size = info.Size()
	}
	id, err := db.StartImport(ctx, store.ImportRun{Kind: opts.Kind, Format: opts.Format, FileName: path, FileSHA256: sum, RejectsPath: rejectsPath,
		BytesTotal: size})
	if err != nil {
		return Result{}, err
	}
	return runFile(ctx, db, id, path, rejectsPath, opts)
}

// runFile imports path as the recorded import id, recording how far it
// has got after every batch (the Import page shows it, for the CLI's
// imports too) and how it ended, with its first refusals.
func runFile(ctx context.Context, db *store.DB, id int64, path, rejectsPath string, opts Options) (Result, error) {
	res := Result{ImportID: id}
	var bytesRead int64
	f, runErr := os.Open(path)
	if runErr == nil {
		progress := opts.Progress
		opts.Progress = func(rows, bytes int64) {
			bytesRead = bytes
			// For the page only: a failed write of it must not stop the import.
			_ = db.ImportProgress(ctx, id, rows, bytes)
			if progress != nil {
				progress(rows, bytes)
			}
		}
		rej := &rejectWriter{path: rejectsPath}
		res, runErr = Run(ctx, db, f, rej, opts)
		res.ImportID = id
		f.Close()
		if err := rej.close(); err != nil && runErr == nil {
			runErr = err
		}
		if rej.n > 0 {
			res.RejectsPath = rejectsPath
		} else if err := os.Remove(rejectsPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			runErr = errors.Join(runErr, err) // a stale rejects file from an earlier run would mislead
		}
	}
	errText := ""
	if runErr != nil {
		errText = runErr.Error()
	}
	refused, _ := json.Marshal(res.Refused) // strings and ints: cannot fail
	if len(res.Refused) == 0 {
		refused = nil
	}
	outcome := store.ImportRun{RowsRead: res.Read, RowsOK: res.Imported, RowsRejected: res.Rejected, BytesRead: bytesRead,
		RejectsPath: res.RejectsPath, Refused: string(refused)}
	if err := db.FinishImport(context.WithoutCancel(ctx), id, outcome, errText); err != nil && runErr == nil {
		runErr = err
	}
	return res, runErr
}

// Rejects receives refused rows.
type Rejects interface {
	Reject(line int, why retain.Problems, raw string) error
}

// Run imports from r. It returns an error only when the import as a whole
// cannot go on (an unreadable file, a header with unknown columns, the
// database failing); bad rows go to rej.
func Run(ctx context.Context, db *store.DB, r io.Reader, rej Rejects, opts Options) (Result, error) {
	if _, ok := kindFields[opts.Kind]; !ok {
		return Result{}, retain.Errorf(retain.EINVALID, "unknown import kind %q (one of %s)", opts.Kind, strings.Join(Kinds(), ", "))
	}
	if !slices.Contains(Formats, opts.Format) {
		return Result{}, retain.Errorf(retain.EINVALID, "unknown format %q (one of %s)", opts.Format, strings.Join(Formats, ", "))
	}
	if (opts.Format == "cdnow" || opts.Format == "shopify") && opts.Kind != "orders" {
		return Result{}, retain.Errorf(retain.EINVALID, "--format %s imports orders, not %s", opts.Format, opts.Kind)
	}
	opts.setDefaults()
	src, lr, err := newSource(r, &opts)
	if err != nil {
		return Result{}, retain.Errorf(retain.EINVALID, "%v", err)
	}
	p := newParser(&opts)
	var res Result
	// Parsing and writing overlap: while the store applies one batch (one
	// transaction), the next is parsed. At most one batch is in flight, so
	// memory stays at two batches.
	type batch struct {
		raw    map[int]string
		staged store.Staged
	}
	type applied struct {
		raw     map[int]string
		rejects []store.Reject
		err     error
	}
	work := make(chan batch, 1)
	done := make(chan applied, 1)
	go func() {
		defer close(done)
		for b := range work {
			res, err := core.Ingest(ctx, db, retain.System("import"), core.Input{Rows: b.staged})
			done <- applied{raw: b.raw, rejects: res.Rejects, err: err}
		}
	}()
	refuse := func(line int, why retain.Problems, raw string) error {
		res.Rejected++
		// The store's refusals of a batch arrive after the parser's of the
		// next: the kept ones are the first lines, whatever the order.
		if i, _ := slices.BinarySearchFunc(res.Refused, line, func(f Refusal, l int) int { return f.Line - l }); i < opts.Keep {
			res.Refused = slices.Insert(res.Refused, i, Refusal{Line: line, Problems: why})
			res.Refused = res.Refused[:min(len(res.Refused), opts.Keep)]
		}
		return rej.Reject(line, why, raw)
	}
	inFlight := false
	wait := func() error {
		if !inFlight {
			return nil
		}
		inFlight = false
		a := <-done
		if a.err != nil {
			return a.err
		}
		for _, rj := range a.rejects {
			if err := refuse(rj.Ref, retain.Problems{rj.Field: rj.Why}, a.raw[rj.Ref]); err != nil {
				return err
			}
		}
		res.Imported = res.Read - res.Rejected
		if opts.Progress != nil {
			opts.Progress(res.Read, lr.read)
		}
		return ctx.Err()
	}
	flush := func() error {
		if err := wait(); err != nil {
			return err
		}
		if p.batch.Len() > 0 {
			work <- batch{raw: p.raw, staged: store.Stage(&p.batch)}
			inFlight = true
			p = p.next()
		}
		return nil
	}
	defer func() {
		close(work)
		for range done { // let the writer finish before returning
		}
	}()
	for {
		rec, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, errors.Join(fmt.Errorf("read line %d: %w", lr.n+1, err), wait())
		}
		if (p.rows >= opts.BatchSize || p.bytes >= opts.BatchBytes) && p.canFlushBefore(rec) {
			if err := flush(); err != nil {
				return res, err
			}
		}
		res.Read++
		if rec.err == nil {
			rec.err = p.add(rec)
		}
		if rec.err != nil {
			if err := refuse(rec.line, rowProblems(rec.err), rec.raw); err != nil {
				return res, errors.Join(err, wait())
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	if err := wait(); err != nil {
		return res, err
	}
	res.Imported = res.Read - res.Rejected
	if opts.Progress != nil {
		opts.Progress(res.Read, lr.read)
	}
	return res, nil
}

func newSource(r io.Reader, opts *Options) (source, *lineReader, error) {
	rename := map[string]string{}
	for from, to := range opts.Map {
		rename[from] = to
	}
	switch opts.Format {
	case "jsonl":
		lr := newLineReader(r)
		return &jsonlSource{lr: lr, rename: rename}, lr, nil
	case "cdnow":
		lr := newLineReader(r)
		return &cdnowSource{lr: lr}, lr, nil
	}
	s, err := newCSVSource(r, rename)
	if err != nil {
		return nil, nil, err
	}
	if opts.Format == "shopify" {
		return s, s.lr, nil
	}
	if err := s.canonicalize(opts); err != nil {
		return nil, nil, err
	}
	return s, s.lr, nil
}

// canonicalize renames header columns to the kind's fields and refuses a
// header with columns it would otherwise have to drop. Customers keep
// unknown columns as attributes.
func (s *csvSource) canonicalize(opts *Options) error {
	// A column to ignore is named as the file writes it ("Gift wrap") or as
	// the header reads once normalized ("gift_wrap").
	ignored := func(h string) bool {
		return slices.ContainsFunc(opts.Ignore, func(x string) bool { return x == h || normalizeName(x) == h })
	}
	var names []string
	for i, h := range s.header {
		if why := retain.TextProblem(h); why != "" {
			return fmt.Errorf("header column %d (%q): %s", i+1, h, why)
		}
		if !ignored(h) {
			names = append(names, h)
		}
	}
	canon, unknown := canonical(opts.Kind, names)
	if len(unknown) > 0 && opts.Kind != "customers" {
		return unknownColumnsError(opts.Kind, unknown)
	}
	for i, h := range s.header {
		switch {
		case ignored(h):
			s.header[i] = "-ignored-" + h
		case canon[h] != "":
			s.header[i] = canon[h]
		default:
			s.header[i] = "attr." + h
		}
	}
	return nil
}

// rejectWriter writes refused rows as CSV: line, reason, the row as read.
// The file is created on the first reject.
type rejectWriter struct {
	path string
	f    *os.File
	w    *csv.Writer
	n    int
}

func (w *rejectWriter) Reject(line int, why retain.Problems, raw string) error {
	if w.f == nil {
		f, err := os.Create(w.path)
		if err != nil {
			return fmt.Errorf("create rejects file: %w", err)
		}
		w.f, w.w = f, csv.NewWriter(f)
		w.w.Write([]string{"line", "reason", "row"})
	}
	w.n++
	// A spreadsheet must not run a rejected row (or a reason quoting it)
	// as a formula.
	w.w.Write([]string{fmt.Sprint(line), retain.CSVSafe(problemsText(why)), retain.CSVSafe(raw)})
	return w.w.Error()
}

func (w *rejectWriter) close() error {
	if w.f == nil {
		return nil
	}
	w.w.Flush()
	return errors.Join(w.w.Error(), w.f.Sync(), w.f.Close())
}
