package schedule

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParsePause(t *testing.T) {
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC) // a Monday afternoon
	tests := []struct {
		name string
		in   string // split with strings.Fields, as the command router does
		zone string // "" = UTC
		now  time.Time
		want string // RFC3339; "forever" = Forever
	}{
		{name: "no argument pauses until resumed", in: "", want: "forever"},
		{name: "one week", in: "1", want: "2026-12-07T15:00:00Z"},
		{name: "most weeks", in: "52", want: "2027-11-29T15:00:00Z"},
		{name: "leading zero", in: "04", want: "2026-12-28T15:00:00Z"},
		{name: "until a date is midnight in the zone", in: "until 2026-12-24", zone: "Europe/London", want: "2026-12-24T00:00:00Z"},
		{name: "until in capitals", in: "UNTIL 2026-12-24", want: "2026-12-24T00:00:00Z"},
		{name: "until in New York", in: "until 2026-12-24", zone: "America/New_York", want: "2026-12-24T05:00:00Z"},
		{name: "until in Lord Howe summer time", in: "until 2026-12-24", zone: "Australia/Lord_Howe", want: "2026-12-23T13:00:00Z"},
		{name: "until in Lord Howe winter time", in: "until 2027-07-01", zone: "Australia/Lord_Howe", want: "2027-06-30T13:30:00Z"},
		{name: "until the day after a New York DST change", in: "until 2027-03-15", zone: "America/New_York", want: "2027-03-15T04:00:00Z"},
		{name: "until tomorrow", in: "until 2026-12-01", want: "2026-12-01T00:00:00Z"},
		{name: "until exactly two years ahead", in: "until 2028-11-30", want: "2028-11-30T00:00:00Z"},
		{name: "extra spaces", in: "  until \t 2026-12-24 ", want: "2026-12-24T00:00:00Z"},
		// 03:00 UTC on 1 December is still 30 November in New York, so 1 December is tomorrow there.
		{name: "today is the person's today", in: "until 2026-12-01", zone: "America/New_York",
			now: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), want: "2026-12-01T05:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := Location(tt.zone)
			at := now
			if !tt.now.IsZero() {
				at = tt.now
			}
			got, err := ParsePause(strings.Fields(tt.in), at, loc)
			if err != nil {
				t.Fatalf("got error %q, want none", err)
			}
			want := Forever
			if tt.want != "forever" {
				var perr error
				if want, perr = time.Parse(time.RFC3339, tt.want); perr != nil {
					t.Fatal(perr)
				}
			}
			if !got.Equal(want) {
				t.Errorf("got %s (%s), want %s", got.UTC().Format(time.RFC3339), got.In(loc).Format(time.RFC3339), tt.want)
			}
			if !got.After(at) {
				t.Errorf("got %s, want after now %s", got, at)
			}
			if strings.Contains(strings.ToLower(tt.in), "until") {
				if l := got.In(loc); l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0 {
					t.Errorf("got %s in the zone, want midnight", l.Format(time.RFC3339))
				}
			}
		})
	}
}

func TestParsePauseErrors(t *testing.T) {
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		in      string
		zone    string
		now     time.Time
		wantErr string // a part of the message that tells what to type
		echo    string // a part of the input the message must not quote; "" = nothing distinctive
	}{
		{name: "zero weeks", in: "0", wantErr: "1 to 52"},
		{name: "too many weeks", in: "53", wantErr: "1 to 52", echo: "53"},
		{name: "negative", in: "-1", wantErr: "1 to 52", echo: "-1"},
		{name: "fraction", in: "1.5", wantErr: "whole number", echo: "1.5"},
		{name: "a word", in: "two", wantErr: "whole number", echo: "two"},
		{name: "a huge number", in: "99999999999999999999999", wantErr: "1 to 52", echo: "99999999999999999999999"},
		{name: "markup", in: "<!channel>", wantErr: "1 to 52", echo: "<!channel>"},
		{name: "until alone", in: "until", wantErr: "pause N"},
		{name: "Until alone", in: "Until", wantErr: "pause N"},
		{name: "until with a day-first date", in: "until 24/12/2026", wantErr: "YYYY-MM-DD", echo: "24/12/2026"},
		{name: "until a date that does not exist", in: "until 2026-02-30", wantErr: "YYYY-MM-DD", echo: "2026-02-30"},
		{name: "until an unpadded date", in: "until 2026-12-4", wantErr: "YYYY-MM-DD", echo: "2026-12-4"},
		{name: "until a past date", in: "until 2026-11-01", wantErr: "not in the future", echo: "2026-11-01"},
		{name: "until today", in: "until 2026-11-30", wantErr: "not in the future", echo: "2026-11-30"},
		// 14:00 UTC on 30 November is already 1 December in Lord Howe (+11).
		{name: "until the person's today", in: "until 2026-12-01", zone: "Australia/Lord_Howe",
			now: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC), wantErr: "not in the future", echo: "2026-12-01"},
		{name: "until more than two years ahead", in: "until 2028-12-01", wantErr: "two years", echo: "2028-12-01"},
		{name: "until far ahead", in: "until 9999-01-01", wantErr: "two years", echo: "9999-01-01"},
		{name: "weeks spelled out", in: "3 weeks", wantErr: "pause N", echo: "3 weeks"},
		{name: "until with more after it", in: "until 2026-12-24 please", wantErr: "pause N", echo: "please"},
		{name: "a date without until", in: "2026-12-24", wantErr: "1 to 52", echo: "2026-12-24"},
		{name: "two numbers", in: "1 2", wantErr: "pause N"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now
			if !tt.now.IsZero() {
				at = tt.now
			}
			got, err := ParsePause(strings.Fields(tt.in), at, Location(tt.zone))
			if err == nil {
				t.Fatalf("got %s, want an error", got)
			}
			if !got.IsZero() {
				t.Errorf("got %s with the error, want the zero time", got)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("got error %q, want one containing %q", msg, tt.wantErr)
			}
			if tt.echo != "" && strings.Contains(msg, tt.echo) {
				t.Errorf("got error %q, want one that does not quote %q", msg, tt.echo)
			}
		})
	}
}

// pauseErrors returns every message ParsePause gives, one bad input per branch: a fuzzed input
// must get one of these, word for word, so no message can quote what was typed.
func pauseErrors(now time.Time) []string {
	var msgs []string
	for _, in := range []string{"0", "until x", "until 2000-01-01", "until 9999-01-01", "a b c"} {
		if _, err := ParsePause(strings.Fields(in), now, time.UTC); err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	return msgs
}

func FuzzParsePause(f *testing.F) {
	for _, s := range []string{"", "1", "52", "53", "0", "-1", "1.5", "two", "until", "until 2026-12-24",
		"UNTIL 2026-12-24", "until 24/12/2026", "until 2026-02-30", "until 2028-11-30", "3 weeks", "+1",
		"until 2026-12-24 please", "until\t2027-01-04", "\u00a0until 2027-01-04"} {
		f.Add(s, uint8(0))
	}
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	zones := []*time.Location{time.UTC, Location("America/New_York"), Location("Australia/Lord_Howe")}
	known := pauseErrors(now)
	if len(known) != 5 {
		f.Fatalf("got %d error messages, want one per branch: %q", len(known), known)
	}
	f.Fuzz(func(t *testing.T, in string, zone uint8) {
		loc := zones[int(zone)%len(zones)]
		args := strings.Fields(in)
		got, err := ParsePause(args, now, loc)
		if err != nil {
			if !slices.Contains(known, err.Error()) {
				t.Fatalf("ParsePause(%q): got error %q, want one of the fixed messages %q", in, err, known)
			}
			return
		}
		if !got.After(now) {
			t.Fatalf("ParsePause(%q): got %s, want after now %s", in, got, now)
		}
		switch {
		case len(args) == 0:
			if !got.Equal(Forever) {
				t.Fatalf("ParsePause(%q): got %s, want Forever", in, got)
			}
		case len(args) == 1:
			if weeks := got.Sub(now) / (7 * 24 * time.Hour); got.Sub(now)%(7*24*time.Hour) != 0 || weeks < 1 || weeks > MaxPauseWeeks {
				t.Fatalf("ParsePause(%q): got %s, want a whole number of weeks from now, 1 to %d", in, got, MaxPauseWeeks)
			}
		default:
			if l := got.In(loc); l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0 || l.Nanosecond() != 0 {
				t.Fatalf("ParsePause(%q): got %s in %s, want midnight", in, l, loc)
			}
			if got.After(now.AddDate(2, 0, 1)) {
				t.Fatalf("ParsePause(%q): got %s, want within two years", in, got)
			}
		}
	})
}
