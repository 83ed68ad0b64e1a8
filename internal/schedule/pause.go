package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxPauseWeeks bounds "pause N"; longer breaks use a date or an open-ended pause.
const MaxPauseWeeks = 52

// Forever is the pause end stored for "pause" with no end: until the person resumes.
var Forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// ParsePause reads the arguments of "/reflect pause": none (until resumed), a number of weeks from
// 1 to MaxPauseWeeks, or "until YYYY-MM-DD" (prompts come again from that day, in the person's
// zone loc; the date must be after today and within two years). It returns when the pause ends.
// Error messages are written for the person and never quote their text.
func ParsePause(args []string, now time.Time, loc *time.Location) (time.Time, error) {
	switch {
	case len(args) == 0:
		return Forever, nil
	case len(args) == 1 && !strings.EqualFold(args[0], "until"):
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 || n > MaxPauseWeeks {
			return time.Time{}, fmt.Errorf("give a whole number of weeks from 1 to %d, or until YYYY-MM-DD", MaxPauseWeeks)
		}
		return now.AddDate(0, 0, 7*n), nil
	case len(args) == 2 && strings.EqualFold(args[0], "until"):
		day, err := time.ParseInLocation("2006-01-02", args[1], loc)
		if err != nil {
			return time.Time{}, errors.New("give the date as YYYY-MM-DD, for example until 2027-01-04")
		}
		today := now.In(loc)
		todayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
		if !day.After(todayStart) {
			return time.Time{}, errors.New("that date is not in the future")
		}
		if day.After(todayStart.AddDate(2, 0, 0)) {
			return time.Time{}, errors.New("that date is more than two years away; use pause with no end and resume when you are back")
		}
		return day, nil
	default:
		return time.Time{}, fmt.Errorf("use pause, pause N (weeks, 1 to %d) or pause until YYYY-MM-DD", MaxPauseWeeks)
	}
}
