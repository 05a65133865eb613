package store

// OwnerScope is whose customers and work a person may see and act on:
// everyone's (All), or those owned by one of Owners, and unowned ones too
// when Unowned (a manager picks those up). core.Work decides it from the
// actor; the store only applies it.
type OwnerScope struct {
	All     bool
	Owners  []int64
	Unowned bool
}

// Everyone is the scope of admins, API keys and Retain itself.
var Everyone = OwnerScope{All: true}

// Contains reports whether something owned by owner (0: no owner) is in scope.
func (s OwnerScope) Contains(owner int64) bool {
	if s.All || (owner == 0 && s.Unowned) {
		return true
	}
	for _, o := range s.Owners {
		if o == owner && owner != 0 {
			return true
		}
	}
	return false
}

// where is the SQL condition on an owner column (ids are integers: nothing
// to escape).
func (s OwnerScope) where(col string) string {
	if s.All {
		return "1 = 1"
	}
	cond := col + " IN (" + idList(s.Owners) + ")"
	if s.Unowned {
		cond = "(" + cond + " OR " + col + " IS NULL)"
	}
	return cond
}
