package report

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must exist wherever the tests run
)

func TestParseMonth(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Month
		wantErr error
	}{
		{name: "plain", in: "2026-03", want: Month{2026, time.March}},
		{name: "december", in: "2025-12", want: Month{2025, time.December}},
		{name: "january", in: "2026-01", want: Month{2026, time.January}},
		{name: "spaces around", in: "  2026-07\n", want: Month{2026, time.July}},
		{name: "year one", in: "0001-01", want: Month{1, time.January}},
		{name: "empty", in: "", wantErr: errMonthFormat},
		{name: "one-digit month", in: "2026-3", wantErr: errMonthFormat},
		{name: "two-digit year", in: "26-03", wantErr: errMonthFormat},
		{name: "slash", in: "2026/03", wantErr: errMonthFormat},
		{name: "with a day", in: "2026-03-01", wantErr: errMonthFormat},
		{name: "signed year", in: "+026-03", wantErr: errMonthFormat},
		{name: "signed month", in: "2026-+3", wantErr: errMonthFormat},
		{name: "letters", in: "March 2026", wantErr: errMonthFormat},
		{name: "fullwidth digits", in: "２０２６-03", wantErr: errMonthFormat},
		{name: "year zero", in: "0000-05", wantErr: errMonthFormat},
		{name: "month zero", in: "2026-00", wantErr: errMonthRange},
		{name: "month thirteen", in: "2026-13", wantErr: errMonthRange},
		{name: "month 99", in: "2026-99", wantErr: errMonthRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMonth(tt.in)
			if err != tt.wantErr {
				t.Fatalf("ParseMonth(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseMonth(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMonthErrorsAreForPeople(t *testing.T) {
	for _, in := range []string{"2026-3", "2026-13", "<script>", "2026-03-01"} {
		_, err := ParseMonth(in)
		if err == nil {
			t.Fatalf("ParseMonth(%q): got no error, want one", in)
		}
		if msg := err.Error(); strings.Contains(msg, in) || !strings.Contains(msg, "for example 2026-03") {
			t.Errorf("ParseMonth(%q) error = %q, want an example and no echo of the input", in, msg)
		}
	}
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-03", "2026-13", "", "0000-01", " 1999-12 ", "2026-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMonth(s)
		if err != nil {
			// Only the two fixed messages: nothing of the input can leak into a reply.
			if err != errMonthFormat && err != errMonthRange {
				t.Errorf("ParseMonth(%q) error = %q, want one of the fixed messages", s, err)
			}
			return
		}
		if got := m.String(); got != strings.TrimSpace(s) {
			t.Errorf("ParseMonth(%q).String() = %q, want the trimmed input", s, got)
		}
		if m.Month < time.January || m.Month > time.December || m.Year < 1 {
			t.Errorf("ParseMonth(%q) = %+v, want a real month", s, m)
		}
	})
}

func TestMonthArithmetic(t *testing.T) {
	tests := []struct {
		name       string
		m          Month
		prev, next Month
	}{
		{name: "mid-year", m: Month{2026, time.June}, prev: Month{2026, time.May}, next: Month{2026, time.July}},
		{name: "january", m: Month{2026, time.January}, prev: Month{2025, time.December}, next: Month{2026, time.February}},
		{name: "december", m: Month{2025, time.December}, prev: Month{2025, time.November}, next: Month{2026, time.January}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.Prev(); got != tt.prev {
				t.Errorf("%v.Prev() = %v, want %v", tt.m, got, tt.prev)
			}
			if got := tt.m.Next(); got != tt.next {
				t.Errorf("%v.Next() = %v, want %v", tt.m, got, tt.next)
			}
			if got := tt.m.Next().Prev(); got != tt.m {
				t.Errorf("%v.Next().Prev() = %v, want %v", tt.m, got, tt.m)
			}
			if !tt.prev.Before(tt.m) || !tt.m.Before(tt.next) || tt.m.Before(tt.m) || tt.next.Before(tt.m) {
				t.Errorf("Before disagrees with Prev/Next around %v", tt.m)
			}
		})
	}

	// add carries across several year ends in both directions.
	for _, tc := range []struct {
		m    Month
		n    int
		want Month
	}{
		{Month{2026, time.March}, -5, Month{2025, time.October}},
		{Month{2026, time.March}, -15, Month{2024, time.December}},
		{Month{2025, time.November}, 14, Month{2027, time.January}},
		{Month{2026, time.January}, -1, Month{2025, time.December}},
	} {
		if got := tc.m.add(tc.n); got != tc.want {
			t.Errorf("%v.add(%d) = %v, want %v", tc.m, tc.n, got, tc.want)
		}
	}
}

func TestMonthFormatting(t *testing.T) {
	m := Month{2026, time.March}
	if got, want := m.String(), "2026-03"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := m.Title(), "March 2026"; got != want {
		t.Errorf("Title() = %q, want %q", got, want)
	}
	if got, want := (Month{987, time.December}).String(), "0987-12"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestMonthStartEnd(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	m := Month{2025, time.December}
	if got, want := m.Start(tokyo), time.Date(2025, 11, 30, 15, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Start(Tokyo) = %v, want %v", got, want)
	}
	if got, want := m.End(tokyo), time.Date(2025, 12, 31, 15, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("End(Tokyo) = %v, want %v (exclusive, across the year end)", got, want)
	}
	if got, want := m.Start(nil), time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Start(nil) = %v, want %v", got, want)
	}
}

func TestMonthOf(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")          // UTC+9
	la := mustZone(t, "America/Los_Angeles")    // UTC−7 in April (DST)
	auckland := mustZone(t, "Pacific/Auckland") // UTC+13 in January
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want Month
	}{
		{name: "UTC late on the 31st, east: already April", at: time.Date(2026, 3, 31, 20, 0, 0, 0, time.UTC), loc: tokyo, want: Month{2026, time.April}},
		{name: "UTC late on the 31st, west: still March", at: time.Date(2026, 3, 31, 20, 0, 0, 0, time.UTC), loc: la, want: Month{2026, time.March}},
		{name: "UTC early on the 1st, west: still March", at: time.Date(2026, 4, 1, 5, 0, 0, 0, time.UTC), loc: la, want: Month{2026, time.March}},
		{name: "UTC early on the 1st, east: April", at: time.Date(2026, 4, 1, 5, 0, 0, 0, time.UTC), loc: tokyo, want: Month{2026, time.April}},
		{name: "last instant of the month in Tokyo", at: time.Date(2026, 4, 30, 23, 59, 59, 0, tokyo), loc: tokyo, want: Month{2026, time.April}},
		{name: "first instant of the month in Tokyo", at: time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo), loc: tokyo, want: Month{2026, time.May}},
		{name: "new year east of UTC", at: time.Date(2025, 12, 31, 11, 30, 0, 0, time.UTC), loc: auckland, want: Month{2026, time.January}},
		{name: "new year, nil zone is UTC", at: time.Date(2025, 12, 31, 11, 30, 0, 0, time.UTC), loc: nil, want: Month{2025, time.December}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MonthOf(tt.at, tt.loc); got != tt.want {
				t.Errorf("MonthOf(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}
