package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retainhq/retain/internal/store/storetest"
)

// TestCalendarSetting: an agent who chooses the Bangla calendar reads the
// inbox's dates with Bangla months, and Gregorian ones again after
// choosing that; a calendar Retain does not show is refused, naming it.
func TestCalendarSetting(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	bangla := []string{"Boishakh", "Joishtho", "Asharh", "Shrabon", "Bhadro", "Ashwin", "Kartik", "Ogrohayon", "Poush", "Magh", "Falgun", "Choitro"}
	has := func(page string) bool {
		for _, m := range bangla {
			if strings.Contains(page, " "+m+" ") {
				return true
			}
		}
		return false
	}
	if _, page := agent.get("/inbox"); has(page) {
		t.Fatal("Bangla months before choosing them")
	}
	if code, _ := agent.post("/settings/calendar", url.Values{"calendar": {"bangla"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("choosing Bangla: %d", code)
	}
	if _, page := agent.get("/settings"); !strings.Contains(page, `value="bangla" selected`) {
		t.Error("the settings page does not show the choice")
	}
	if _, page := agent.get("/inbox"); !has(page) {
		t.Error("no Bangla months in the inbox after choosing them")
	}
	agent.post("/settings/calendar", url.Values{"calendar": {""}}, "")
	if _, page := agent.get("/inbox"); has(page) {
		t.Error("Bangla months after choosing Gregorian again")
	}
	if code, page := agent.post("/settings/calendar", url.Values{"calendar": {"mayan"}}, ""); code != http.StatusBadRequest || !strings.Contains(page, "calendar") {
		t.Errorf("a calendar not offered: %d", code)
	}
}
