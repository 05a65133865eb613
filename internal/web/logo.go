package web

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

// LogoKey is the setting that holds the business's logo: its content type,
// a comma, and the image in base64.
const LogoKey = "business.logo"

// maxLogo is the largest logo accepted: a logo is a few kilobytes; this
// leaves room for a photo of a shop sign, not for a database in disguise.
const maxLogo = 256 << 10

// logoCache keeps the logo between setting changes (any change moves the
// settings version, read once per request anyway by the zone).
type logoCache struct {
	mu      sync.Mutex
	version int64
	ctype   string
	data    []byte
}

// logo is the business's logo and its content type; nil when none is set.
func (s *Server) logo(ctx context.Context) ([]byte, string, error) {
	v, err := s.db.SettingsVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	c := &s.logoCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == v && v != 0 {
		return c.data, c.ctype, nil
	}
	val, ok, err := s.db.Setting(ctx, LogoKey)
	if err != nil {
		return nil, "", err
	}
	c.version, c.data, c.ctype = v, nil, ""
	if ok && val != "" {
		ctype, b64, _ := strings.Cut(val, ",")
		if data, err := base64.StdEncoding.DecodeString(b64); err == nil {
			c.data, c.ctype = data, ctype
		}
	}
	return c.data, c.ctype, nil
}

// hasLogo reports whether the business has set a logo (a page shows it).
func (s *Server) hasLogo(ctx context.Context) bool {
	data, _, err := s.logo(ctx)
	return err == nil && len(data) > 0
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
		if err := s.db.SaveSetting(r.Context(), v.Actor, LogoKey, ""); err != nil {
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
	if err := s.db.SaveSetting(r.Context(), v.Actor, LogoKey, ctype+","+base64.StdEncoding.EncodeToString(data)); err != nil {
		return err
	}
	return s.renderChannels(w, r, v, "logo", nil, v.L.T("settings.saved"), "")
}
