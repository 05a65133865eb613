package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
		Cohort: q.Get("cohort"), Cause: q.Get("cause"), Survey: q.Get("survey"), SurveyMonth: q.Get("month"), Sort: q.Get("sort"), Page: page, Size: 50}
}

type customersData struct {
	Rows      []store.CustomerRow
	Total     int
	Page      int
	Pages     int
	Query     url.Values
	Segments  []string
	Stages    []string
	Owners    []store.Owner
	PrevHref  string
	NextHref  string
	ExportURL string
	CanAssign bool
	More      bool // more than store.CountCap match
}

func (s *Server) customers(w http.ResponseWriter, r *http.Request, v *view) {
	f := filterOf(r.URL.Query())
	rows, total, err := s.db.Customers(r.Context(), f)
	if err != nil {
		s.fail(w, err)
		return
	}
	owners, err := s.db.Owners(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	q := r.URL.Query()
	pageHref := func(p int) string {
		qq := url.Values{}
		for k, vs := range q {
			qq[k] = vs
		}
		qq.Set("page", strconv.Itoa(p))
		return "/customers?" + qq.Encode()
	}
	d := customersData{Rows: rows, Total: total, Page: max(f.Page, 1), Query: q, Owners: owners,
		Segments:  []string{"champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost"},
		Stages:    retain.Stages,
		ExportURL: "/customers.csv?" + q.Encode(), CanAssign: v.Staff.Role != "agent"}
	d.Pages = (total + 49) / 50
	d.More = total > store.CountCap
	if d.Page > 1 {
		d.PrevHref = pageHref(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextHref = pageHref(d.Page + 1)
	}
	v.Title, v.Data = v.L.T("nav.customers"), d
	s.render(w, "customers", v)
}

// customersCSV exports the filtered list; cells a spreadsheet would run as
// a formula are defused (RELIABILITY.md S5).
func (s *Server) customersCSV(w http.ResponseWriter, r *http.Request, v *view) {
	f := filterOf(r.URL.Query())
	f.Size = 500
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="customers.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"external_id", "name", "email", "phone", "owner", "segment", "health", "p_alive", "clv", "currency", "last_order", "open_alerts"})
	for f.Page = 1; ; f.Page++ {
		rows, _, err := s.db.Customers(r.Context(), f)
		if err != nil {
			s.log.Error("export", "err", err)
			return
		}
		for _, c := range rows {
			last := ""
			if !c.LastOrderAt.IsZero() {
				last = c.LastOrderAt.Format(time.DateOnly)
			}
			cw.Write([]string{retain.CSVSafe(c.ExternalID), retain.CSVSafe(c.Name), retain.CSVSafe(c.Email), retain.CSVSafe(c.Phone), retain.CSVSafe(c.Owner), c.Segment,
				fmt.Sprintf("%.1f", c.Health), fmt.Sprintf("%.3f", c.PAlive), fmt.Sprintf("%.2f", c.CLV), c.Currency, last, strconv.Itoa(c.OpenAlerts)})
		}
		if len(rows) < f.Size {
			break
		}
	}
	cw.Flush()
}

// bulkAssign gives the selected customers an owner (managers and admins).
func (s *Server) bulkAssign(w http.ResponseWriter, r *http.Request, v *view) {
	if v.Staff.Role == "agent" {
		http.Error(w, v.L.T("error.forbidden"), http.StatusForbidden)
		return
	}
	r.ParseForm()
	owner, err := strconv.ParseInt(r.FormValue("owner"), 10, 64)
	owners, oerr := s.db.Owners(r.Context())
	if oerr != nil {
		s.fail(w, oerr)
		return
	}
	if err != nil || !slices.ContainsFunc(owners, func(o store.Owner) bool { return o.ID == owner }) {
		http.Error(w, v.L.T("error.owner"), http.StatusBadRequest)
		return
	}
	var ids []int64
	for _, id := range r.Form["customer"] {
		cid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			http.Error(w, v.L.T("error.customer_id", "ID", id), http.StatusBadRequest)
			return
		}
		ids = append(ids, cid)
	}
	err = s.db.WithTx(r.Context(), func(tx *store.Tx) error {
		for _, cid := range ids {
			if _, err := tx.AssignOwner(r.Context(), cid, owner, "manual", v.Staff.Email, false); err != nil {
				return err
			}
		}
		return nil
	})
	if retain.ErrorCode(err) == retain.ENOTFOUND {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	back := localPath(r.FormValue("back"))
	if !strings.HasPrefix(back, "/customers") {
		back = "/customers"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
