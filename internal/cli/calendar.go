package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/calendar"
)

// isoDate is YYYY-MM-DD and nothing else.
var isoDate = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)

// calendarCommand is `retain calendar convert DATE --to bn` (and --from
// bn): a Gregorian YYYY-MM-DD to the Bangla (Bangabda) calendar and back,
// for scripts.
func (e *env) calendarCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "calendar", Short: "Local calendars: convert dates to and from Bangla (Bangabda, as revised in Bangladesh)"}
	var to, from string
	convert := &cobra.Command{
		Use:   "convert DATE (--to bn | --from bn)",
		Short: "Print a Gregorian YYYY-MM-DD as YYYY-MM-DD in the Bangla calendar (--to bn), or a Bangla one as Gregorian (--from bn)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case (to == "") == (from == ""):
				return retain.FieldError("to", "give --to bn or --from bn, one of them")
			case to != "" && to != "bn":
				return retain.FieldError("to", "%q is not a calendar Retain converts to (bn)", to)
			case from != "" && from != "bn":
				return retain.FieldError("from", "%q is not a calendar Retain converts from (bn)", from)
			}
			if to != "" {
				t, err := time.Parse(time.DateOnly, retain.LatinDigits(args[0]))
				if err != nil {
					return retain.FieldError("date", "%q is not a date (YYYY-MM-DD)", args[0])
				}
				fmt.Fprintln(e.stdout, calendar.ToBangla(t))
				return nil
			}
			var d calendar.Date
			m := isoDate.FindStringSubmatch(retain.LatinDigits(args[0]))
			if m == nil { // a date with anything after it, or a short field, is not read as a date
				return retain.FieldError("date", "%q is not a date (YYYY-MM-DD)", args[0])
			}
			d.Year, _ = strconv.Atoi(m[1])
			d.Month, _ = strconv.Atoi(m[2])
			d.Day, _ = strconv.Atoi(m[3])
			t, err := calendar.FromBangla(d)
			if err != nil {
				return retain.FieldError("date", "%v", err)
			}
			fmt.Fprintln(e.stdout, t.Format(time.DateOnly))
			return nil
		},
	}
	convert.Flags().StringVar(&to, "to", "", "the calendar to write the Gregorian date in: bn")
	convert.Flags().StringVar(&from, "from", "", "the calendar DATE is in: bn")
	cmd.AddCommand(convert)
	return cmd
}
