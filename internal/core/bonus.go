package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/retainhq/retain/internal/loyalty"
	"github.com/retainhq/retain/internal/store"
)

// Bonus points (loyalty.Bonus), each once per source: the first order's
// with its earning (earnOrder); a survey answer's and a written review's
// from the change log (the loyalty consumer); a visit's, one a day; and a
// birthday's once a year, given by the loyalty job on the day.

// surveyBonus gives the points for answering a survey, and for the
// review, once the answer has a comment (it may come after the score).
func surveyBonus(ctx context.Context, tx *store.Tx, p loyalty.Program, c store.Change) error {
	if p.Bonus.Survey == 0 && p.Bonus.Review == 0 {
		return nil
	}
	answers, err := tx.SurveySignals(ctx, []int64{c.SubjectID})
	if err != nil {
		return err
	}
	s, ok := answers[c.SubjectID]
	if !ok {
		return nil // deleted since
	}
	if _, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: s.CustomerID, Points: p.Bonus.Survey, Op: fmt.Sprintf("survey:%d:answer", s.ID), Reason: "survey"}); err != nil {
		return err
	}
	if strings.TrimSpace(s.Comment) == "" {
		return nil
	}
	_, err = earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: s.CustomerID, Points: p.Bonus.Review, Op: fmt.Sprintf("survey:%d:review", s.ID), Reason: "review"})
	return err
}

// visitBonus gives a visit's points, one visit a day in the business's
// zone counting.
func visitBonus(ctx context.Context, tx *store.Tx, p loyalty.Program, zone *time.Location, c store.Change) error {
	if p.Bonus.Visit == 0 || c.CustomerID == 0 {
		return nil
	}
	day := c.At.In(zone).Format(time.DateOnly)
	_, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: c.CustomerID, Points: p.Bonus.Visit, Op: fmt.Sprintf("visit:%d:%s", c.CustomerID, day), Reason: "visit"})
	return err
}

// birthdaysDoneKey keeps the last day the birthday bonuses were given.
const birthdaysDoneKey = "loyalty.birthdays_done"

// GiveBirthdayBonuses gives today's birthday points (the loyalty job): to
// every customer whose "birthday" attribute (1990-04-14 or 04-14) is
// today in the business's zone, once a year each; the day's run is
// remembered so the rest of the day's passes read nothing.
func GiveBirthdayBonuses(ctx context.Context, db *store.DB) (int, error) {
	p, err := LoyaltyProgram(ctx, db)
	if err != nil || !p.Enabled || p.Bonus.Birthday == 0 {
		return 0, err
	}
	zone, err := BusinessZone(ctx, db)
	if err != nil {
		return 0, err
	}
	today := db.Now().In(zone)
	day := today.Format(time.DateOnly)
	if done, _, err := db.Setting(ctx, birthdaysDoneKey); err != nil || done == day {
		return 0, err
	}
	ids, err := db.CustomersBornOn(ctx, today.Format("01-02"))
	if err != nil {
		return 0, err
	}
	if today.Format("01-02") == "02-28" && today.AddDate(0, 0, 1).Month() == time.March { // no 29th this year: its birthdays are today
		leap, err := db.CustomersBornOn(ctx, "02-29")
		if err != nil {
			return 0, err
		}
		ids = append(ids, leap...)
	}
	n := 0
	for start := 0; start < len(ids); start += 500 { // a transaction a few hundred credits long, not one for a city's birthdays
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			for _, id := range ids[start:min(start+500, len(ids))] {
				got, err := earn(ctx, tx, p, store.LoyaltyCredit{CustomerID: id, Points: p.Bonus.Birthday, Op: fmt.Sprintf("birthday:%d:%d", id, today.Year()), Reason: "birthday"})
				if err != nil {
					return err
				}
				if got {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, db.SetSetting(ctx, birthdaysDoneKey, day)
}
