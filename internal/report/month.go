// Package report builds monthly and team summaries: numbers, text, the chart PNG.
//
// It turns a person's recorded answers, scheduled deliveries and assessments into a Summary,
// the monthly trend summary: the month's lean and its six dimensions, a six-month trend,
// wellbeing beside the lean (never mixed into it), response rate and streak, how lean and
// wellbeing moved together, one suggestion grounded in the article, and a plain-text rendering
// that doubles as the chart's fallback. Chart draws the trend as a PNG. The package does no I/O and sees no Slack or SQL types.
package report

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Month is a calendar month. Which instants belong to it depends on a time zone, so Start and
// End take one: a person's month is the month on their own clock.
type Month struct {
	Year  int
	Month time.Month
}

// Errors from ParseMonth are written for the person who typed the month; they never quote the
// input, which may be anything at all.
var (
	errMonthFormat = errors.New("give the month as YYYY-MM, for example 2026-03")
	errMonthRange  = errors.New("the month must be from 01 to 12, for example 2026-03")
)

// ParseMonth reads a month written as YYYY-MM, such as "2026-03". Surrounding spaces are ignored;
// anything else (a day, a missing zero, a month outside 01–12, year 0000) is an error.
func ParseMonth(s string) (Month, error) {
	s = strings.TrimSpace(s)
	if len(s) != 7 || s[4] != '-' {
		return Month{}, errMonthFormat
	}
	year, ok := digits(s[:4])
	if !ok {
		return Month{}, errMonthFormat
	}
	month, ok := digits(s[5:])
	if !ok {
		return Month{}, errMonthFormat
	}
	if year == 0 {
		return Month{}, errMonthFormat
	}
	if month < 1 || month > 12 {
		return Month{}, errMonthRange
	}
	return Month{Year: year, Month: time.Month(month)}, nil
}

// digits parses a run of ASCII digits only (strconv.Atoi would also take a sign).
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// MonthOf returns the month t falls in on the clock of loc (UTC when loc is nil).
func MonthOf(t time.Time, loc *time.Location) Month {
	y, m, _ := t.In(orUTC(loc)).Date()
	return Month{Year: y, Month: m}
}

// String returns the month as YYYY-MM, the form ParseMonth reads.
func (m Month) String() string {
	return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month))
}

// Title returns the month as a person reads it, e.g. "March 2026".
func (m Month) Title() string {
	return fmt.Sprintf("%s %d", m.Month, m.Year)
}

// short returns the month's three-letter name, e.g. "Mar", as the chart's axis shows it.
func (m Month) short() string {
	return m.Month.String()[:3]
}

// Start returns the first instant of the month in loc (UTC when loc is nil).
func (m Month) Start(loc *time.Location) time.Time {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, orUTC(loc))
}

// End returns the first instant after the month in loc: months are half-open, [Start, End).
func (m Month) End(loc *time.Location) time.Time {
	return m.Next().Start(loc)
}

// Add returns the month n months after m (before it for a negative n).
func (m Month) Add(n int) Month { return m.add(n) }

// Prev returns the month before m.
func (m Month) Prev() Month { return m.add(-1) }

// Next returns the month after m.
func (m Month) Next() Month { return m.add(1) }

// add moves m by n months, carrying into the year.
func (m Month) add(n int) Month {
	i := m.Year*12 + int(m.Month) - 1 + n
	y, mo := i/12, i%12
	if mo < 0 {
		y, mo = y-1, mo+12
	}
	return Month{Year: y, Month: time.Month(mo + 1)}
}

// Before reports whether m comes before o.
func (m Month) Before(o Month) bool {
	if m.Year != o.Year {
		return m.Year < o.Year
	}
	return m.Month < o.Month
}

// contains reports whether t falls in m on loc's clock.
func (m Month) contains(t time.Time, loc *time.Location) bool {
	return MonthOf(t, loc) == m
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
