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
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/importer"
)

// Uploads: a file is kept on the server between its preview and its
// import (the browser sends it once), under an unguessable name, and
// removed after the import or within uploadLife.
const (
	maxUpload  = 100 << 20
	uploadLife = time.Hour
	// shownRejects is how many refused rows the result page lists; the
	// count is always the whole.
	shownRejects = 200
	previewRows  = 5
)

var uploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// importKinds are the CSV imports offered in the browser.
var importKinds = []string{"customers", "orders", "order-lines", "order-events", "tickets", "survey-responses"}

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
	// Result.
	Done    bool
	Result  importer.Result // with the first shownRejects refused rows
	Bad     fieldErrors
	Problem string
	status  int
}

func uploadDir() string { return filepath.Join(os.TempDir(), "retain-uploads") }

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
	sweepUploads(time.Now()) // files age on the wall clock, not the business's
	if err := os.MkdirAll(uploadDir(), 0o700); err != nil {
		return err
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	d.Upload, d.FileName = hex.EncodeToString(raw[:]), filepath.Base(head.Filename)
	path := filepath.Join(uploadDir(), d.Upload+".csv")
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

// importRun imports the kept upload with the mapping chosen on the
// preview and shows what was imported and every refused row's reason.
func (s *Server) importRun(w http.ResponseWriter, r *http.Request, v *view) error {
	d, bad := importOptions(r, v)
	d.Upload, d.FileName = r.FormValue("upload"), filepath.Base(r.FormValue("file_name"))
	if !uploadID.MatchString(d.Upload) {
		return problem(v, http.StatusNotFound, "import.gone")
	}
	path := filepath.Join(uploadDir(), d.Upload+".csv")
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
	opts := importer.Options{Kind: d.Kind, Format: "csv", Map: map[string]string{}, Currency: d.Currency, PhoneCountry: d.PhoneCountry, Keep: shownRejects}
	mapping := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		to := r.FormValue(fmt.Sprintf("map.%d", i))
		mapping[i] = to
		switch {
		case to == "-":
			opts.Ignore = append(opts.Ignore, h)
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
			opts.Map[h] = to
		}
	}
	if len(bad) > 0 {
		d.Bad, d.status = bad, http.StatusBadRequest
		return s.showPreview(w, v, d, path, mapping)
	}
	if d.TimeZone != "" {
		opts.Location, _ = time.LoadLocation(d.TimeZone)
	}
	if err := core.ImportDefaults(r.Context(), s.db, &opts.Currency, &opts.Location); err != nil {
		return err
	}
	rejects := path + ".rejects.csv"
	defer os.Remove(path)
	defer os.Remove(rejects)
	res, err := importer.File(r.Context(), s.db, path, rejects, opts)
	if err != nil {
		s.log.Error("import", "kind", d.Kind, "err", err)
		d.Problem = v.L.T("import.stopped", "Rows", res.Read)
	}
	d.Done, d.Result, d.Upload = true, res, ""
	if err := s.db.Audit(r.Context(), v.Actor, "import", d.Kind, fmt.Sprintf("%s: %d read, %d imported, %d rejected", d.FileName, res.Read, res.Imported, res.Rejected)); err != nil {
		s.log.Error("audit", "err", err)
	}
	return s.renderImport(w, v, d)
}

// sweepUploads removes uploads nobody imported within uploadLife.
func sweepUploads(now time.Time) {
	entries, _ := os.ReadDir(uploadDir())
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > uploadLife {
			os.Remove(filepath.Join(uploadDir(), e.Name()))
		}
	}
}
