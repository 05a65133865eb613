package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/retainhq/retain"
)

// The playbook and survey editors read the whole form back into a
// definition on every press and apply the button: move an item up or
// down, remove it, add one. What the definition's own check finds wrong
// is shown at the field of the same path.

// editItems applies the pressed button ("up:2", "down:0", "remove:3",
// "add") to a definition's list and returns the button's name.
func editItems[T any](r *http.Request, items *[]T, add func() (T, bool)) string {
	op, arg, _ := strings.Cut(r.FormValue("op"), ":")
	i, _ := strconv.Atoi(arg)
	list := *items
	switch op {
	case "up":
		if i > 0 && i < len(list) {
			list[i-1], list[i] = list[i], list[i-1]
		}
	case "down":
		if i >= 0 && i+1 < len(list) {
			list[i], list[i+1] = list[i+1], list[i]
		}
	case "remove":
		if i >= 0 && i < len(list) {
			list = append(list[:i], list[i+1:]...)
		}
	case "add":
		if item, ok := add(); ok {
			list = append(list, item)
		}
	}
	*items = list
	return op
}

// definitionProblems are a definition's problems by field path, in the
// editor's own words for the fields it knows, else the reason's, in the
// reader's language.
func definitionProblems(v *view, problems retain.Problems) fieldErrors {
	out := fieldErrors{}
	var e *retain.Error
	if errors.As(problems.Err(), &e) {
		for field, why := range e.Fields {
			if key := editorProblem(field); key != "" || why.Code == "" {
				out.add(v, field, cmp.Or(key, "form.invalid"))
			} else {
				out[field] = v.Reason(why)
			}
		}
	}
	return out
}

// copyKey is the first of KEY-copy, KEY-copy-2, … that lookup does not
// find: the key of a duplicate.
func copyKey(key string, lookup func(string) error) (string, error) {
	next := key + "-copy"
	for n := 2; ; n++ {
		err := lookup(next)
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			return next, nil
		}
		if err != nil {
			return "", err
		}
		next = fmt.Sprintf("%s-copy-%d", key, n)
	}
}

// savedNotice says what a save did: a new version (in savedKey's words)
// or nothing, the definition being unchanged.
func savedNotice(v *view, savedKey string, version int, created bool) string {
	if !created {
		return v.L.T("editor.unchanged", "N", v.L.Int(int64(version)))
	}
	return v.L.T(savedKey, "N", v.L.Int(int64(version)))
}
