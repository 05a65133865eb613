package web

import (
	"net/http"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/loyalty"
)

// The referrals page (/referrals): who referred whom, where each stands
// and why one was refused — the programme's refer-a-friend at a glance.

type referralsData struct {
	Rows     []core.ReferralRow
	Status   string
	Statuses []string
}

func (s *Server) referralsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	status := r.URL.Query().Get("status")
	d := referralsData{Status: status, Statuses: []string{loyalty.ReferralPending, loyalty.ReferralOrdered, loyalty.ReferralCompleted, loyalty.ReferralRefused}}
	rows, err := s.work().Referrals(r.Context(), v.Actor, "", status, 200)
	if err != nil {
		return err
	}
	d.Rows = rows
	v.Title, v.Data = v.L.T("referrals.title"), d
	s.render(w, "referrals", v)
	return nil
}
