package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/importer"
	"github.com/retainhq/retain/internal/store"
)

// Uploads: a file is kept on the server between its preview and its
// import (the browser sends it once), under an unguessable name, and
// removed after the import or within uploadLife.
const (
	maxUpload  = 100 << 20
	uploadLife = time.Hour
	// recentImports is how many of the latest imports the upload form lists.
	recentImports = 10
	previewRows   = 5
)

var uploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// importKinds are the CSV imports offered in the browser.
var importKinds = []string{"customers", "orders", "order-lines", "order-events", "tickets", "survey-responses", "subscriptions"}

// importData is the import page: the upload form, then the preview with
// the column mapping, then the result with the refused rows.
type importData struct {
	Wizard bool
	Kinds  []string
	// The options, kept from step to step.
	Kind, Currency, TimeZone, PhoneCountry string
	// Preview: the upload's id and name, its header, the field each
	// column goes to and a few rows.
	Upload, FileName string
	Header           []string
	Mapping          []string
	Fields           []string
	Rows             [][]string
	// An import queued from this page: how far it has got, then its
	// first refused rows and whether its rejects file can be downloaded.
	Run     *store.ImportRun
	Percent int64
	Refused []importer.Refusal
	Rejects bool
	// The latest imports, on the upload form.
	Recent  []store.ImportRun
	Bad     fieldErrors
	Problem string
	status  int
}

// uploadDir holds the uploads and the queued imports' files and rejects
// (Options.ImportDir; the system's temporary folder when none is set).
func (s *Server) uploadDir() string {
	if s.opts.ImportDir != "" {
		return s.opts.ImportDir
	}
	return filepath.Join(os.TempDir(), "retain-uploads")
}

// importPage is the upload form, with the business's currency and zone as
// the defaults for amounts and times the file does not qualify.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := importData{Wizard: r.URL.Path == "/setup/import", PhoneCountry: "BD"}
	loc := (*time.Location)(nil)
	if err := core.ImportDefaults(r.Context(), s.db, &d.Currency, &loc); err != nil {
		return err
	}
	if loc != nil {
		d.TimeZone = loc.String()
	}
	var err error
	d.Recent, err = s.db.Imports(r.Context(), recentImports)
	if err != nil {
		return err
	}
	return s.renderImport(w, v, d)
}

func (s *Server) renderImport(w http.ResponseWriter, v *view, d importData) error {
	d.Kinds = importKinds
	v.Title, v.Data = v.L.T("import.title"), d
	s.renderStatus(w, d.status, "import", v)
	return nil
}

// importOptions reads the options every step carries and checks them.
func importOptions(r *http.Request, v *view) (importData, fieldErrors) {
	d := importData{Wizard: r.FormValue("wizard") == "1", Kind: r.FormValue("kind"), Currency: strings.ToUpper(strings.TrimSpace(r.FormValue("currency"))),
		TimeZone: strings.TrimSpace(r.FormValue("time_zone")), PhoneCountry: strings.ToUpper(strings.TrimSpace(r.FormValue("phone_country")))}
	bad := fieldErrors{}
	if !slices.Contains(importKinds, d.Kind) {
		bad.add(v, "kind", "form.choose")
	}
	if _, err := retain.CurrencyDigits(d.Currency); d.Currency != "" && err != nil {
		bad.add(v, "currency", "form.currency_bad")
	}
	if d.TimeZone != "" && retain.CheckTimeZone(d.TimeZone) != nil {
		bad.add(v, "time_zone", "settings.time_zone_bad", "Zone", d.TimeZone)
	}
	if d.PhoneCountry != "" && (len(d.PhoneCountry) != 2 || strings.Trim(d.PhoneCountry, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		bad.add(v, "phone_country", "import.country_bad")
	}
	return d, bad
}

// importPreview keeps the uploaded file and shows its first rows with the
// field each column will be read as, to change before importing.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request, v *view) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return problem(v, http.StatusRequestEntityTooLarge, "import.too_big", "MB", maxUpload>>20)
		}
		return problem(v, http.StatusBadRequest, "import.no_file")
	}
	defer r.MultipartForm.RemoveAll()
	d, bad := importOptions(r, v)
	file, head, err := r.FormFile("file")
	if err != nil {
		bad.add(v, "file", "import.no_file")
	}
	if len(bad) > 0 {
		d.Bad, d.status = bad, http.StatusBadRequest
		return s.renderImport(w, v, d)
	}
	defer file.Close()
	s.sweepUploads(time.Now()) // files age on the wall clock, not the business's
	if err := os.MkdirAll(s.uploadDir(), 0o700); err != nil {
		return err
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	d.Upload, d.FileName = hex.EncodeToString(raw[:]), filepath.Base(head.Filename)
	path := filepath.Join(s.uploadDir(), d.Upload+".csv")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, file); err != nil {
		out.Close()
		os.Remove(path)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return s.showPreview(w, v, d, path, nil)
}

// showPreview reads the kept upload's first rows and the mapping to show
// (the one given, else the import's own reading of the header).
func (s *Server) showPreview(w http.ResponseWriter, v *view, d importData, path string, mapping []string) error {
	f, err := os.Open(path)
	if err != nil {
		return problem(v, http.StatusNotFound, "import.gone")
	}
	defer f.Close()
	d.Header, d.Rows, err = importer.Peek(f, previewRows)
	if err != nil {
		os.Remove(path)
		d.Upload, d.Problem, d.status = "", v.L.T("import.unreadable", "Error", v.errorReason(err)), http.StatusBadRequest
		return s.renderImport(w, v, d)
	}
	d.Mapping = mapping
	if d.Mapping == nil {
		d.Mapping = importer.Suggest(d.Kind, d.Header)
	}
	d.Fields = importer.Fields(d.Kind)
	return s.renderImport(w, v, d)
}

// importRun queues the kept upload with the mapping chosen on the preview
// for the imports job and sends the browser to the import's page.
func (s *Server) importRun(w http.ResponseWriter, r *http.Request, v *view) error {
	d, bad := importOptions(r, v)
	d.Upload, d.FileName = r.FormValue("upload"), filepath.Base(r.FormValue("file_name"))
	if !uploadID.MatchString(d.Upload) {
		return problem(v, http.StatusNotFound, "import.gone")
	}
	path := filepath.Join(s.uploadDir(), d.Upload+".csv")
	f, err := os.Open(path)
	if err != nil {
		return problem(v, http.StatusNotFound, "import.gone")
	}
	header, _, err := importer.Peek(f, 0)
	f.Close()
	if err != nil {
		return problem(v, http.StatusBadRequest, "import.unreadable", "Error", v.errorReason(err))
	}
	fields := importer.Fields(d.Kind)
	req := importer.Request{Kind: d.Kind, Map: map[string]string{}, PhoneCountry: d.PhoneCountry}
	mapping := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		to := r.FormValue(fmt.Sprintf("map.%d", i))
		mapping[i] = to
		switch {
		case to == "-":
			req.Ignore = append(req.Ignore, h)
		case to == "":
			if d.Kind != "customers" { // customers keep unknown columns as attributes
				bad.add(v, fmt.Sprintf("map.%d", i), "import.map_needed")
			}
		case !slices.Contains(fields, to):
			bad.add(v, fmt.Sprintf("map.%d", i), "form.choose")
		case taken[to]:
			bad.add(v, fmt.Sprintf("map.%d", i), "import.map_twice")
		default:
			taken[to] = true
			req.Map[h] = to
		}
	}
	if len(bad) > 0 {
		d.Bad, d.status = bad, http.StatusBadRequest
		return s.showPreview(w, v, d, path, mapping)
	}
	// The business's currency and zone fill what the form left empty now,
	// so the import does what this page said, whenever it runs.
	var loc *time.Location
	if d.TimeZone != "" {
		loc, _ = time.LoadLocation(d.TimeZone)
	}
	if err := core.ImportDefaults(r.Context(), s.db, &d.Currency, &loc); err != nil {
		return err
	}
	if loc != nil {
		d.TimeZone = loc.String()
	}
	req.Currency, req.TimeZone = d.Currency, d.TimeZone
	// Renamed out of the uploads' pattern first, so that neither a second
	// click nor the sweep takes the file the queued import will read.
	queued := strings.TrimSuffix(path, ".csv") + ".queued.csv"
	if err := os.Rename(path, queued); err != nil {
		return problem(v, http.StatusNotFound, "import.gone")
	}
	id, err := importer.Queue(r.Context(), s.db, queued, d.FileName, req, v.Actor)
	if err != nil {
		os.Remove(queued)
		return err
	}
	if err := s.db.Audit(r.Context(), v.Actor, "import", d.Kind, fmt.Sprintf("%s: queued as import %d", d.FileName, id)); err != nil {
		s.log.Error("audit", "err", err)
	}
	to := fmt.Sprintf("/import/%d", id)
	if d.Wizard {
		to += "?wizard=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// importStatus is one import from the browser: how far the imports job has
// got (the page reloads itself until it is done, without JavaScript), then
// what it imported, the first refused rows with their reasons and the
// rejects file to download.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request, v *view) error {
	run, err := s.importNamed(r, v)
	if err != nil {
		return err
	}
	d := importData{Wizard: r.URL.Query().Get("wizard") == "1", Run: &run, FileName: run.FileName}
	switch run.Status {
	case "queued", "running":
		v.Refresh = 2
		if run.BytesTotal > 0 {
			d.Percent = min(100, run.BytesRead*100/run.BytesTotal)
		}
	case "failed":
		d.Problem = v.L.T("import.stopped", "Rows", v.L.Int(run.RowsRead))
		if run.Error == importer.Interrupted {
			d.Problem = v.L.T("import.interrupted", "Rows", v.L.Int(run.RowsRead))
		}
	}
	if d.Refused, err = importer.Refusals(run); err != nil {
		return err
	}
	if run.RejectsPath != "" && !run.QueuedAt.IsZero() {
		_, err := os.Stat(run.RejectsPath)
		d.Rejects = err == nil
	}
	return s.renderImport(w, v, d)
}

// importRejects downloads a browser import's rejects file: every refused
// row, its line, the reason and the row as read, to fix and import again.
// With excel=1 it starts with a byte order mark (see the customers export).
func (s *Server) importRejects(w http.ResponseWriter, r *http.Request, v *view) error {
	run, err := s.importNamed(r, v)
	if err != nil {
		return err
	}
	// A CLI import's rejects file is wherever its user put it on the
	// server: only the files of imports started here are the web's to give.
	f, err := os.Open(run.RejectsPath)
	if run.QueuedAt.IsZero() || run.RejectsPath == "" || err != nil {
		return problem(v, http.StatusNotFound, "import.rejects_gone")
	}
	defer f.Close()
	if err := s.db.Audit(r.Context(), v.Actor, store.AuditExport, "import rejects", fmt.Sprintf("import %d: %d rows", run.ID, run.RowsRejected)); err != nil {
		return err
	}
	name := strings.TrimSuffix(run.FileName, filepath.Ext(run.FileName)) + ".rejects.csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, strings.Map(safeFileRune, name)))
	if r.URL.Query().Get("excel") == "1" {
		io.WriteString(w, "\ufeff")
	}
	_, err = io.Copy(w, f)
	return err
}

// safeFileRune keeps a download's name to what every browser takes in a
// header: letters, digits and a few marks; the rest becomes "_".
func safeFileRune(r rune) rune {
	if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-", r)) {
		return r
	}
	return '_'
}

// importNamed is the import the path names.
func (s *Server) importNamed(r *http.Request, v *view) (store.ImportRun, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ImportRun{}, problem(v, http.StatusNotFound, "error.not_found")
	}
	run, err := s.db.Import(r.Context(), id)
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		return store.ImportRun{}, problem(v, http.StatusNotFound, "error.not_found")
	}
	return run, err
}

// sweepUploads removes uploads nobody imported within uploadLife (a
// queued import's file is named otherwise, and the imports job removes it).
func (s *Server) sweepUploads(now time.Time) {
	entries, _ := os.ReadDir(s.uploadDir())
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".csv")
		if info, err := e.Info(); ok && uploadID.MatchString(id) && err == nil && now.Sub(info.ModTime()) > uploadLife {
			os.Remove(filepath.Join(s.uploadDir(), e.Name()))
		}
	}
}
