package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/retainhq/retain/internal/store"
	"golang.org/x/term"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/importer"
)

func (e *env) importCommand() *cobra.Command {
	var (
		opts    importer.Options
		maps    []string
		tz      string
		rejects string
		noBar   bool
	)
	cmd := &cobra.Command{
		Use:   "import KIND FILE",
		Short: "Import customers, orders, order-lines, order-events, tickets or survey-responses from CSV, JSON lines, CDNOW or Shopify files",
		Long: `Import rows into Retain. Rows are upserted by their external id, so importing a file again
changes nothing, and an interrupted import can simply be run again.

KIND is one of: ` + strings.Join(importer.Kinds(), ", ") + `.
FILE is CSV with a header row (the default), JSON lines (.jsonl), the CDNOW transaction
files (--format cdnow) or Shopify's orders export (--format shopify).

Bad rows never stop an import: each is written, with its line number and the reason, to
FILE.rejects.csv (or --rejects PATH). Exit status: 0 when every row was imported, 1 when
some rows were rejected, 2 when the import itself failed.`,
		Example: `  retain import customers customers.csv --phone-country BD
  retain import orders orders.csv --currency BDT --tz Asia/Dhaka --map "Order No=order_id"
  retain import orders --format cdnow testdata/cdnow/CDNOW_master.txt
  retain import orders --format shopify orders_export.csv`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind = args[0]
			path := args[1]
			if tz != "" {
				loc, err := time.LoadLocation(tz)
				if err != nil || tz == "Local" {
					return retain.Errorf(retain.EINVALID, "--tz %q is not an IANA time zone (for example Asia/Dhaka)", tz)
				}
				opts.Location = loc
			}
			opts.Map = map[string]string{}
			for _, m := range maps {
				from, to, ok := strings.Cut(m, "=")
				if !ok || from == "" || to == "" {
					return retain.Errorf(retain.EINVALID, "--map %q: write it as 'Input Column=field'", m)
				}
				opts.Map[from] = to
			}
			if opts.Format == "" {
				opts.Format = importer.DetectFormat(path)
			}
			if opts.Format == "cdnow" && opts.Currency == "" {
				opts.Currency = "USD"
			}
			if opts.Currency != "" {
				c, err := retain.NormalizeCurrency(opts.Currency)
				if err != nil {
					return retain.Errorf(retain.EINVALID, "--currency: %v", err)
				}
				opts.Currency = c
			}
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			return e.withDB(cmd, func(ctx context.Context, db *store.DB) error {
				if err := core.ImportDefaults(ctx, db, &opts.Currency, &opts.Location); err != nil {
					return err
				}
				start := time.Now()
				if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !noBar {
					bar := progressbar.NewOptions64(info.Size(), progressbar.OptionSetWriter(e.stderr), progressbar.OptionShowBytes(true),
						progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowElapsedTimeOnFinish(),
						progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth())
					opts.Progress = func(rows, bytes int64) {
						secs := time.Since(start).Seconds()
						bar.Describe(fmt.Sprintf("%d rows (%.0f rows/s)", rows, float64(rows)/max(secs, 1e-3)))
						bar.Set64(bytes)
					}
					defer bar.Finish()
				}
				res, err := importer.File(ctx, db, path, rejects, opts)
				secs := time.Since(start).Seconds()
				if opts.Progress != nil {
					fmt.Fprintln(e.stderr)
				}
				fmt.Fprintf(e.stdout, "imported %d of %d %s rows from %s in %.1fs (%.0f rows/s); %d rejected\n",
					res.Imported, res.Read, opts.Kind, path, secs, float64(res.Read)/max(secs, 1e-3), res.Rejected)
				if err != nil {
					return fmt.Errorf("import stopped after %d rows: %w", res.Read, err)
				}
				if res.Rejected > 0 {
					fmt.Fprintf(e.stdout, "rejected rows, with line numbers and reasons: %s\n", res.RejectsPath)
					return exitCode(ExitRejected)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "", "input format: csv, jsonl, cdnow or shopify (default: from the file name)")
	f.StringArrayVar(&maps, "map", nil, "rename an input column to a field, as 'Column=field' (repeatable)")
	f.StringArrayVar(&opts.Ignore, "ignore", nil, "skip an input column (repeatable)")
	f.StringVar(&opts.Currency, "currency", "", "ISO 4217 currency of amounts without a currency column (default: the business's currency in Settings, else USD)")
	f.StringVar(&tz, "tz", "", "time zone of dates and times written without an offset (default: the business's, else UTC)")
	f.StringVar(&opts.PhoneCountry, "phone-country", "", "country of phone numbers written without +code, e.g. BD or NP")
	f.IntVar(&opts.BatchSize, "batch", 20000, "rows per transaction")
	f.StringVar(&rejects, "rejects", "", "where to write rejected rows (default FILE.rejects.csv)")
	f.BoolVar(&noBar, "no-progress", false, "no progress bar, even on a terminal")
	return cmd
}
