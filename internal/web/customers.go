package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// filterOf reads the customer list's filters from a query.
func filterOf(q url.Values) store.CustomerFilter {
	num := func(k string) float64 { f, _ := strconv.ParseFloat(q.Get(k), 64); return f }
	page, _ := strconv.Atoi(q.Get("page"))
	owner, _ := strconv.ParseInt(q.Get("owner"), 10, 64)
	return store.CustomerFilter{Query: q.Get("q"), Segment: q.Get("segment"), Stage: q.Get("stage"), OwnerID: owner, AtRisk: q.Get("at_risk") == "1",
		Unhappy: q.Get("unhappy") == "1", Promoters: q.Get("promoters") == "1", New: q.Get("new") == "1",
		HealthMin: num("health_min"), HealthMax: num("health_max"), PAliveMin: num("p_alive_min"), PAliveMax: num("p_alive_max"),
		Cohort: q.Get("cohort"), Cause: q.Get("cause"), CauseMonth: q.Get("cause_month"), Survey: q.Get("survey"), SurveyMonth: q.Get("month"), Sort: q.Get("sort"), Page: page, Size: 50}
}

type customersData struct {
	Rows  []store.CustomerRow
	Total int
	ListPager
	Query     url.Values
	Segments  []retain.Segment
	Stages    []string
	Owners    []store.Owner
	ExportURL string
	CanAssign bool
	CanExport bool
}

// ListPager is a list's page links: the page of how many (or of many, past
// store.CountCap matches) and the links either side.
type ListPager struct {
	Page, Pages        int
	More               bool
	PrevHref, NextHref string
}

// pagerFor is the pager of page (1 or more) of a list at path with query
// q, total matches, size a page.
func pagerFor(path string, q url.Values, page, total, size int) ListPager {
	p := ListPager{Page: max(page, 1), Pages: (total + size - 1) / size, More: total > store.CountCap}
	if p.Page > 1 {
		p.PrevHref = withParam(path, q, "page", strconv.Itoa(p.Page-1))
	}
	if p.Page < p.Pages {
		p.NextHref = withParam(path, q, "page", strconv.Itoa(p.Page+1))
	}
	return p
}

// withParam is path with query q, key set to val: a link to another page
// of a list that keeps its filters.
func withParam(path string, q url.Values, key, val string) string {
	qq := url.Values{}
	for k, vs := range q {
		qq[k] = vs
	}
	qq.Set(key, val)
	return path + "?" + qq.Encode()
}

// scopedFilter is the list's filter narrowed to the customers the viewer
// may see (core.Work.Scope): the list, its counts and the export alike.
func (s *Server) scopedFilter(r *http.Request, v *view) (store.CustomerFilter, error) {
	f := filterOf(r.URL.Query())
	scope, err := s.work().Scope(r.Context(), v.Actor)
	f.Scope = &scope
	return f, err
}

func (s *Server) customers(w http.ResponseWriter, r *http.Request, v *view) error {
	f, err := s.scopedFilter(r, v)
	if err != nil {
		return err
	}
	rows, total, err := s.db.Customers(r.Context(), f)
	if err != nil {
		return err
	}
	owners, err := s.db.Owners(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := customersData{Rows: rows, Total: total, ListPager: pagerFor("/customers", q, f.Page, total, f.Size), Query: q, Owners: owners,
		Segments:  retain.Segments,
		Stages:    retain.Stages,
		ExportURL: "/customers.csv?" + q.Encode(), CanAssign: v.Actor.Can(retain.PermCustomersAssign), CanExport: v.Actor.Can(retain.PermCustomersExport)}
	v.Title, v.Data = v.L.T("nav.customers"), d
	s.render(w, "customers", v)
	return nil
}

// customersCSV exports the filtered list, within the viewer's scope. The
// file is built whole before anything is sent, so a failure part-way is an
// error page, never a 200 with a truncated file; cells a spreadsheet would
// run as a formula are defused (docs/reliability.md). Each export is
// audited with its filter and size.
func (s *Server) customersCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	f, err := s.scopedFilter(r, v)
	if err != nil {
		return err
	}
	f.Size = 500
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"external_id", "name", "email", "phone", "owner", "segment", "health", "p_alive", "clv", "currency", "last_order", "open_alerts"})
	n := 0
	for f.Page = 1; ; f.Page++ {
		rows, _, err := s.db.Customers(r.Context(), f)
		if err != nil {
			return err
		}
		for _, c := range rows {
			last := ""
			if !c.LastOrderAt.IsZero() {
				last = c.LastOrderAt.In(v.L.Zone).Format(time.DateOnly) // the day in the reader's zone
			}
			cw.Write([]string{retain.CSVSafe(c.ExternalID), retain.CSVSafe(c.Name), retain.CSVSafe(c.Email), retain.CSVSafe(c.Phone), retain.CSVSafe(c.Owner), c.Segment,
				fmt.Sprintf("%.1f", c.Health), fmt.Sprintf("%.3f", c.PAlive), fmt.Sprintf("%.2f", c.CLV), c.Currency, last, strconv.Itoa(c.OpenAlerts)})
		}
		n += len(rows)
		if len(rows) < f.Size || f.Page >= store.MaxPage {
			break
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	out := buf.Bytes()
	if r.URL.Query().Get("excel") == "1" {
		// Excel reads a CSV without a byte order mark in the machine's
		// legacy code page, and Bengali and Nepali names come out garbled.
		out = append([]byte("\ufeff"), out...)
	}
	if err := s.db.Audit(r.Context(), v.Actor, store.AuditExport, "customers.csv", fmt.Sprintf("%d · %s", n, r.URL.RawQuery)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="customers.csv"`)
	_, err = w.Write(out)
	return err
}

// bulkAssign gives the selected customers an owner.
func (s *Server) bulkAssign(w http.ResponseWriter, r *http.Request, v *view) error {
	r.ParseForm()
	owner, err := strconv.ParseInt(r.FormValue("owner"), 10, 64)
	if err != nil {
		return problem(v, http.StatusBadRequest, "error.owner")
	}
	var ids []int64
	for _, id := range r.Form["customer"] {
		cid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return problem(v, http.StatusBadRequest, "error.customer_id", "ID", id)
		}
		ids = append(ids, cid)
	}
	if err := s.work().AssignCustomers(r.Context(), v.Actor, ids, owner); err != nil {
		if retain.ErrorCode(err) == retain.EINVALID {
			return problem(v, http.StatusBadRequest, "error.owner")
		}
		return err
	}
	back := localPath(r.FormValue("back"))
	if !strings.HasPrefix(back, "/customers") {
		back = "/customers"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
