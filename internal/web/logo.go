package web

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"

	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/i18n"
)

// maxLogo is the largest logo accepted: a logo is a few kilobytes; this
// leaves room for a photo of a shop sign, not for a database in disguise.
const maxLogo = 256 << 10

// logo is the business's logo and its content type, from the settings in
// force (read once per settings change); nil when none is set.
func (s *Server) logo(ctx context.Context) ([]byte, string, error) {
	m, err := s.live.Messaging(ctx)
	if err != nil {
		return nil, "", err
	}
	return m.Logo, m.LogoType, nil
}

// visitor is the view of a page for someone not signed in (sign-in, a
// password link, the wizard): in their language, times in the business's
// zone, with the business's logo when there is one.
func (s *Server) visitor(r *http.Request, l *i18n.Localizer) *view {
	m, err := s.live.Messaging(r.Context())
	if err != nil {
		s.log.Error("settings", "err", err)
	}
	l.Zone = zoneOf("", m)
	return &view{L: l, Path: r.URL.Path, Logo: m != nil && len(m.Logo) > 0}
}

// serveLogo serves the business's logo to anyone (it is on the sign-in
// page and on messages' public pages), 404 when none is set.
func (s *Server) serveLogo(w http.ResponseWriter, r *http.Request) {
	data, ctype, err := s.logo(r.Context())
	if err != nil || len(data) == 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}

// saveLogo stores an uploaded PNG or JPEG as the logo, or removes it. SVG
// is refused: it can carry script.
func (s *Server) saveLogo(w http.ResponseWriter, r *http.Request, v *view) error {
	if r.FormValue("remove") == "1" {
		if err := s.db.SaveSetting(r.Context(), v.Actor, core.LogoKey, ""); err != nil {
			return err
		}
		return s.renderChannels(w, r, v, "logo", nil, v.L.T("settings.saved"), "")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogo+64<<10)
	file, _, err := r.FormFile("logo")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return s.renderChannels(w, r, v, "logo", fieldErrors{"logo": v.L.T("settings.logo_too_big", "KB", maxLogo>>10)}, "", "")
	case err != nil:
		return s.renderChannels(w, r, v, "logo", fieldErrors{"logo": v.L.T("settings.logo_bad")}, "", "")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxLogo+1))
	if err != nil {
		return err
	}
	ctype := http.DetectContentType(data)
	switch {
	case len(data) > maxLogo:
		return s.renderChannels(w, r, v, "logo", fieldErrors{"logo": v.L.T("settings.logo_too_big", "KB", maxLogo>>10)}, "", "")
	case ctype != "image/png" && ctype != "image/jpeg":
		return s.renderChannels(w, r, v, "logo", fieldErrors{"logo": v.L.T("settings.logo_bad")}, "", "")
	}
	if err := s.db.SaveSetting(r.Context(), v.Actor, core.LogoKey, ctype+","+base64.StdEncoding.EncodeToString(data)); err != nil {
		return err
	}
	return s.renderChannels(w, r, v, "logo", nil, v.L.T("settings.saved"), "")
}
