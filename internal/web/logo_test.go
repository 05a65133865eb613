package web_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestLogo: an admin uploads a PNG logo; anyone can fetch it and the
// sign-in page shows it; an SVG (which can carry script) is refused at its
// field; removing it makes /logo a 404 again.
func TestLogo(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	c := s.client(t)
	c.login("admin@shop.example", password)
	upload := func(name string, data []byte) (int, string) {
		return c.upload("/settings/logo", nil, "logo", name, data)
	}
	if code, _ := s.client(t).get("/logo"); code != http.StatusNotFound {
		t.Errorf("no logo yet: %d", code)
	}
	code, body := upload("logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	if code != http.StatusBadRequest || !strings.Contains(body, "Choose a PNG or JPEG image.") {
		t.Errorf("an SVG: %d", code)
	}
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	if code, _ := upload("logo.png", img.Bytes()); code != http.StatusOK {
		t.Fatalf("a PNG: %d", code)
	}
	anon := s.client(t)
	code, got := anon.get("/logo")
	if code != http.StatusOK || got != img.String() {
		t.Errorf("the logo served: %d, %d bytes", code, len(got))
	}
	if _, page := anon.get("/login"); !strings.Contains(page, `<img src="/logo"`) {
		t.Error("the sign-in page does not show the logo")
	}
	c.post("/settings/logo", url.Values{"remove": {"1"}}, "")
	if code, _ := anon.get("/logo"); code != http.StatusNotFound {
		t.Errorf("after removing: %d", code)
	}
}
