package schedule

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func TestNext(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		zone  string
		after string // local wall time, RFC3339 with the zone's offset
		want  string // RFC3339 in the zone's offset
	}{
		{"default monday 9am", "0 9 * * MON", "America/New_York", "2026-11-24T12:00:00-05:00", "2026-11-30T09:00:00-05:00"},
		{"exactly at the slot is not after it", "0 9 * * MON", "America/New_York", "2026-11-30T09:00:00-05:00", "2026-12-07T09:00:00-05:00"},
		{"a second before the slot", "0 9 * * MON", "America/New_York", "2026-11-30T08:59:59-05:00", "2026-11-30T09:00:00-05:00"},
		{"twice a week", "0 9 * * MON,THU", "Europe/London", "2026-11-30T09:00:00Z", "2026-12-03T09:00:00Z"},

		// America/New_York: 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
		{"NY spring gap moves to 03:00", "30 2 * * SUN", "America/New_York", "2026-03-07T12:00:00-05:00", "2026-03-08T03:00:00-04:00"},
		{"NY 9am keeps local time across spring", "0 9 * * MON", "America/New_York", "2026-03-03T10:00:00-05:00", "2026-03-09T09:00:00-04:00"},
		{"NY fall overlap fires at first 01:30", "30 1 * * SUN", "America/New_York", "2026-10-31T12:00:00-04:00", "2026-11-01T01:30:00-04:00"},
		{"NY fall overlap does not fire twice", "30 1 * * SUN", "America/New_York", "2026-11-01T01:30:00-04:00", "2026-11-08T01:30:00-05:00"},
		{"NY fall overlap from inside the second hour", "30 1 * * SUN", "America/New_York", "2026-11-01T01:10:00-05:00", "2026-11-08T01:30:00-05:00"},
		{"NY 9am keeps local time across fall", "0 9 * * MON", "America/New_York", "2026-10-27T10:00:00-04:00", "2026-11-02T09:00:00-05:00"},

		// Europe/London: 2026-03-29 01:00 GMT → 02:00 BST; 2026-10-25 02:00 BST → 01:00 GMT.
		{"London spring gap moves to 02:00", "15 1 * * SUN", "Europe/London", "2026-03-28T12:00:00Z", "2026-03-29T02:00:00+01:00"},
		{"London fall overlap fires once", "30 1 * * SUN", "Europe/London", "2026-10-24T12:00:00+01:00", "2026-10-25T01:30:00+01:00"},
		{"London fall overlap then next week", "30 1 * * SUN", "Europe/London", "2026-10-25T01:30:00+01:00", "2026-11-01T01:30:00Z"},
		{"London monday across spring", "0 9 * * MON", "Europe/London", "2026-03-24T10:00:00Z", "2026-03-30T09:00:00+01:00"},

		// Australia/Lord_Howe: half-hour DST. 2026-04-05 02:00 (+11) → 01:30 (+10:30);
		// 2026-10-04 02:00 (+10:30) → 02:30 (+11).
		{"Lord Howe spring gap moves to 02:30", "15 2 * * SUN", "Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", "2026-10-04T02:30:00+11:00"},
		{"Lord Howe fall overlap fires once", "45 1 * * SUN", "Australia/Lord_Howe", "2026-04-04T12:00:00+11:00", "2026-04-05T01:45:00+11:00"},
		{"Lord Howe fall overlap not twice", "45 1 * * SUN", "Australia/Lord_Howe", "2026-04-05T01:45:00+11:00", "2026-04-12T01:45:00+10:30"},
		{"Lord Howe monday across fall", "0 9 * * MON", "Australia/Lord_Howe", "2026-03-31T10:00:00+11:00", "2026-04-06T09:00:00+10:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := ParseSpec(tt.spec)
			if err != nil {
				t.Fatalf("ParseSpec: %v", err)
			}
			loc := mustLoc(t, tt.zone)
			after, _ := time.Parse(time.RFC3339, tt.after)
			want, _ := time.Parse(time.RFC3339, tt.want)
			got := spec.Next(after, loc)
			if !got.Equal(want) {
				t.Errorf("got %s (%s local), want %s", got.Format(time.RFC3339), got.In(loc).Format(time.RFC3339), tt.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("got location %v, want UTC", got.Location())
			}
		})
	}
}

// TestNextYearWeekly walks a whole year of a weekly slot in zones with DST and checks that every week
// fires exactly once and always on the slot's local day.
func TestNextYearWeekly(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"} {
		loc := mustLoc(t, zone)
		for _, spec := range []string{"0 9 * * MON", "30 2 * * SUN", "30 1 * * SUN"} {
			s, _ := ParseSpec(spec)
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
			prev := at
			for week := 0; week < 53; week++ {
				next := s.Next(at, loc)
				if !next.After(at) {
					t.Fatalf("%s %s: Next(%s) = %s, not after", zone, spec, at, next)
				}
				if gap := next.Sub(prev); week > 0 && (gap < 6*24*time.Hour || gap > 8*24*time.Hour) {
					t.Errorf("%s %s: %s to %s is %s, want about a week", zone, spec, prev, next, gap)
				}
				prev, at = next, next
			}
		}
	}
}

func TestParseSlot(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"tue 10:30", "tue 10:30", ""},
		{"TUESDAY 9:05", "tue 09:05", ""},
		{"  sun   00:00 ", "sun 00:00", ""},
		{"sat 23:59", "sat 23:59", ""},
		{"funday 25:99", "", `"funday" is not a day: use mon, tue, wed, thu, fri, sat or sun; and "25:99" is not a time`},
		{"funday 10:30", "", "not a day"},
		{"mon 25:00", "", "not a time"},
		{"mon 9", "", "not a time"},
		{"mon 9:5", "", "not a time"},
		{"mon -1:30", "", "not a time"},
		{"mon 123:00", "", "not a time"},
		{"mon", "", "a day and a time"},
		{"", "", "a day and a time"},
		{"mon 10:30 extra", "", "a day and a time"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSlot(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if got.String() != tt.want {
				t.Errorf("got %q, want %q", got.String(), tt.want)
			}
		})
	}
}

func TestSlotSpec(t *testing.T) {
	slot, _ := ParseSlot("tue 10:30")
	loc := mustLoc(t, "Europe/London")
	got := slot.Spec().Next(time.Date(2026, 11, 26, 0, 0, 0, 0, loc), loc)
	want := time.Date(2026, 12, 1, 10, 30, 0, 0, loc)
	if !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzParseSlot also plays the command router's part for "/reflect schedule": the arguments arrive
// split with strings.Fields and joined again, which must read exactly as the raw text does.
func FuzzParseSlot(f *testing.F) {
	for _, s := range []string{"tue 10:30", "funday 25:99", "", "mon 9:5", "sunday 00:00", "  TUE\t10:30 ",
		"mon\u00a009:00", "sat 23:59 extra", "mon +9:30", "wed 10:-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		slot, err := ParseSlot(in)
		args, argsErr := ParseSlot(strings.Join(strings.Fields(in), " "))
		if (err == nil) != (argsErr == nil) || args != slot {
			t.Fatalf("%q as typed: got %v, %v; as command arguments: got %v, %v", in, slot, err, args, argsErr)
		}
		if err != nil {
			return
		}
		if slot.Hour < 0 || slot.Hour > 23 || slot.Minute < 0 || slot.Minute > 59 || slot.Day < time.Sunday || slot.Day > time.Saturday {
			t.Fatalf("%q: got out-of-range slot %+v", in, slot)
		}
		back, err := ParseSlot(slot.String())
		if err != nil || back != slot {
			t.Fatalf("round trip of %q: got %v, %v", in, back, err)
		}
		_ = slot.Spec() // must not panic
	})
}
