package core

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retainhq/retain"
)

// Opening balances from the system a shop leaves: a CSV of customers'
// points (and when they expire) and stamp counts, each row given as an
// adjustment or stamps keyed by the import's source and the customer, so
// importing the same file again — after fixing its bad rows — gives each
// customer their balance once.

// BalanceImport is what an import of balances did.
type BalanceImport struct {
	Rows    int             `json:"rows"`
	Points  int64           `json:"points" doc:"Points given by the rows taken (again: none)."`
	Stamps  int             `json:"stamps"`
	Again   int             `json:"again" doc:"Rows whose balance this source had given before: nothing moved."`
	Rejects []BalanceReject `json:"rejects"`
}

// BalanceReject is a row refused, with the line and the field.
type BalanceReject struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// balanceColumns are the columns an import reads.
var balanceColumns = []string{"customer_id", "points", "expires_at", "card", "stamps"}

// ImportBalances reads opening balances (loyalty:manage): a header naming
// customer_id and points, or card and stamps, or both; expires_at
// (YYYY-MM-DD) is when the points expire (empty: as earned points do).
// Rows that cannot be taken are listed with their line and field; the
// others are taken.
func (w Work) ImportBalances(ctx context.Context, a retain.Actor, r io.Reader, source string) (BalanceImport, error) {
	if err := a.Require(retain.PermLoyaltyManage); err != nil {
		return BalanceImport{}, err
	}
	if source == "" || len(source) > 60 || strings.ContainsAny(source, ": ") {
		return BalanceImport{}, retain.FieldError("source", "is required: up to 60 characters, no spaces or colons")
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return BalanceImport{}, retain.FieldError("file", "%v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(balanceColumns, h) {
			return BalanceImport{}, retain.FieldError("file", "%q is not one of %v", h, balanceColumns)
		}
		col[h] = i
	}
	_, hasPoints := col["points"]
	_, hasStamps := col["stamps"]
	if _, ok := col["customer_id"]; !ok || (!hasPoints && !hasStamps) {
		return BalanceImport{}, retain.FieldError("file", "the header needs customer_id and points, or customer_id, card and stamps")
	}
	out := BalanceImport{Rejects: []BalanceReject{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(retain.LatinDigits(rec[i]))
			}
			return ""
		}
		reject := func(err error) {
			field, reason := "", err.Error()
			if re, ok := errors.AsType[*retain.Error](err); ok && len(re.Fields) > 0 {
				for f, why := range re.Fields {
					field, reason = f, why.Text
				}
			}
			out.Rejects = append(out.Rejects, BalanceReject{Line: line, Field: field, Reason: reason})
		}
		if err != nil {
			reject(err)
			continue
		}
		out.Rows++
		ref := cell("customer_id")
		key := source + ":" + ref
		if p := cell("points"); p != "" && p != "0" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil || n <= 0 {
				reject(retain.FieldError("points", "%q is not a whole number", p))
				continue
			}
			var expires time.Time
			if e := cell("expires_at"); e != "" {
				if expires, err = time.Parse(time.DateOnly, e); err != nil {
					reject(retain.FieldError("expires_at", "%q is not a date (YYYY-MM-DD)", e))
					continue
				}
			}
			m, err := w.AdjustPoints(ctx, a, ref, n, "import:"+key, "opening balance ("+source+")", expires)
			if err != nil {
				reject(err)
				continue
			}
			if m.Replayed {
				out.Again++
			} else {
				out.Points += m.Points
			}
		}
		if s := cell("stamps"); s != "" && s != "0" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				reject(retain.FieldError("stamps", "%q is not a whole number", s))
				continue
			}
			res, err := w.AddStamps(ctx, a, ref, cell("card"), n, fmt.Sprintf("import:%s:%s", key, cell("card")))
			if err != nil {
				reject(err)
				continue
			}
			if !res.Replayed {
				out.Stamps += n
			}
		}
	}
}
