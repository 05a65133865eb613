package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
)

// calendar serves a staff member's open tasks as an iCalendar feed (RFC
// 5545, CRLF line endings) at a secret URL, for Google Calendar or Outlook
// to subscribe to. An unknown token is a 404 with nothing about why.
func (a *API) calendar(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(r.PathValue("file"), ".ics")
	staffID, name, err := a.db.CalendarOwner(r.Context(), token)
	if err != nil {
		if retain.ErrorCode(err) != retain.ENOTFOUND {
			a.log.Error("calendar", "err", err)
		}
		http.NotFound(w, r)
		return
	}
	tasks, err := a.db.Tasks(r.Context(), store.TaskFilter{OwnerID: staffID, Limit: 2000})
	if err != nil {
		a.log.Error("calendar", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = TasksCalendar(name, tasks, a.db.Now()).SerializeTo(w, ics.WithNewLineWindows)
}

// TasksCalendar builds the calendar of tasks: one 30-minute event each at
// its due time, with an alarm at its reminder time.
func TasksCalendar(owner string, tasks []retain.Task, now time.Time) *ics.Calendar {
	cal := ics.NewCalendarFor("Retain")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName("Retain tasks: " + owner)
	cal.SetXPublishedTTL("PT15M")
	for _, t := range tasks {
		ev := cal.AddEvent(fmt.Sprintf("task-%d@retain", t.ID))
		ev.SetDtStampTime(now)
		ev.SetCreatedTime(t.CreatedAt)
		ev.SetStartAt(t.DueAt)
		ev.SetEndAt(t.DueAt.Add(30 * time.Minute))
		ev.SetSummary(t.Title)
		desc := t.Detail
		if t.CustomerRef != "" {
			desc = "Customer " + t.CustomerRef + ". " + desc
		}
		ev.SetDescription(desc)
		if !t.RemindAt.IsZero() && t.RemindAt.Before(t.DueAt) {
			al := ev.AddAlarm()
			al.SetAction(ics.ActionDisplay)
			al.SetTrigger("-PT" + fmt.Sprint(int(t.DueAt.Sub(t.RemindAt).Minutes())) + "M")
		}
	}
	return cal
}
