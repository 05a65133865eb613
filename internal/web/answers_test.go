package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestAnswersPage: survey answers are listed newest first with the cause
// their comment names and the words that named it; the filters (unhappy
// only, with a comment, a month) narrow the list; an agent sees only the
// answers of their own customers; a comment's markup is text.
func TestAnswersPage(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	ctx := context.Background()
	now := s.db.Now()
	mine, _, err := s.db.Customers(ctx, store.CustomerFilter{OwnerID: s.agentID, Size: 1})
	if err != nil || len(mine) == 0 {
		t.Fatal("the agent owns no customer", err)
	}
	theirs, _, _ := s.db.Customers(ctx, store.CustomerFilter{OwnerID: s.otherID, Size: 1})
	var b store.Batch
	b.SurveyResponses = append(b.SurveyResponses,
		store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "ans-1", CustomerRef: mine[0].ExternalID, Kind: "csat", Score: 1,
			Comment: "পার্সেল অনেক দেরিতে এসেছে <script>x</script>", RespondedAt: now.Add(-time.Hour)}},
		store.Row[retain.SurveyResponse]{V: retain.SurveyResponse{ExternalID: "ans-2", CustomerRef: theirs[0].ExternalID, Kind: "nps", Score: 10,
			Comment: "Other agent's happy customer", RespondedAt: now.Add(-2 * time.Hour)}})
	if _, err := s.db.Apply(ctx, &b); err != nil {
		t.Fatal(err)
	}
	admin := s.client(t)
	admin.login("admin@shop.example", password)
	zone, err := core.BusinessZone(ctx, s.db) // the month as the page reads it: in the reader's (here the business's) zone
	if err != nil {
		t.Fatal(err)
	}
	month := url.QueryEscape(now.Add(-time.Hour).In(zone).Format("2006-01"))
	code, body := admin.get("/answers?band=low&comments=1&month=" + month)
	if code != http.StatusOK || !strings.Contains(body, "পার্সেল অনেক দেরিতে এসেছে") || strings.Contains(body, "Other agent's happy customer") {
		t.Fatalf("unhappy answers with a comment this month: %d", code)
	}
	// Riders and shop staff (representatives, who never sign in) are who
	// answers are most often about: the filter offers them.
	if !strings.Contains(body, ">Rubel Mia (delivery)</option>") {
		t.Error("the staff filter does not offer a representative")
	}
	if !strings.Contains(body, `<q class="evidence"`) || strings.Contains(body, "<script>x</script>") {
		t.Error("the cause's words are not shown, or the comment's markup is not text")
	}
	if _, body := admin.get("/answers?band=high"); !strings.Contains(body, "Other agent&#39;s happy customer") {
		t.Error("happy answers: the promoter is not listed")
	}
	agent := s.client(t)
	agent.login("agent@shop.example", password)
	if _, body := agent.get("/answers?comments=1"); strings.Contains(body, "Other agent") || !strings.Contains(body, fmt.Sprintf(`/customers/%d"`, mine[0].ID)) {
		t.Error("an agent sees another agent's customer's answer, or not their own")
	}
}
