package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
)

// at parses an RFC3339 time with its offset; a typo in a table fails the test rather than
// silently reading as the zero time.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time.Parse(%q): %v", s, err)
	}
	return v
}

func builtin(t *testing.T) *prompts.Catalogue {
	t.Helper()
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatalf("prompts.Builtin: %v", err)
	}
	return cat
}

func mustSpec(t *testing.T, text string) Spec {
	t.Helper()
	s, err := ParseSpec(text)
	if err != nil {
		t.Fatalf("ParseSpec(%q): %v", text, err)
	}
	return s
}

// fmtTime prints an instant in UTC and in the zone, so a DST failure shows both readings.
func fmtTime(v time.Time, loc *time.Location) string {
	if v.IsZero() {
		return "zero"
	}
	return fmt.Sprintf("%s (%s)", v.UTC().Format(time.RFC3339Nano), v.In(loc).Format("Mon 2006-01-02 15:04:05 -07:00"))
}

func TestLocation(t *testing.T) {
	tests := []struct {
		name string
		tz   string
		want string
	}{
		{"empty is UTC", "", "UTC"},
		{"UTC", "UTC", "UTC"},
		{"New York", "America/New_York", "America/New_York"},
		{"Lord Howe", "Australia/Lord_Howe", "Australia/Lord_Howe"},
		{"unknown zone is UTC", "Mars/Olympus_Mons", "UTC"},
		{"garbage is UTC", "not a zone", "UTC"},
		{"path escape is UTC", "../../../etc/passwd", "UTC"},
		// "Local" is not a zone a person can be in: it is the server's, which must not leak in.
		{"Local is UTC", "Local", "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Location(tt.tz)
			if got == nil {
				t.Fatal("got nil location")
			}
			if got.String() != tt.want {
				t.Errorf("got %q, want %q", got.String(), tt.want)
			}
		})
	}
}

func TestPlannerNext(t *testing.T) {
	pl := Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: builtin(t)}
	tests := []struct {
		name string
		slot string
		tz   string
		now  string
		want string
	}{
		{"default spec", "", "UTC", "2026-11-24T12:00:00Z", "2026-11-30T09:00:00Z"},
		{"at the occurrence is not after it", "", "UTC", "2026-11-30T09:00:00Z", "2026-12-07T09:00:00Z"},
		{"default in the person's zone", "", "America/New_York", "2026-11-24T12:00:00Z", "2026-11-30T14:00:00Z"},
		{"personal slot overrides the default", "tue 10:30", "UTC", "2026-11-24T12:00:00Z", "2026-12-01T10:30:00Z"},
		{"personal slot in the person's zone", "tue 10:30", "Europe/London", "2026-07-01T00:00:00Z", "2026-07-07T09:30:00Z"},
		{"unreadable slot falls back to the default", "funday 25:99", "UTC", "2026-11-24T12:00:00Z", "2026-11-30T09:00:00Z"},
		{"unknown zone is UTC", "", "Mars/Olympus_Mons", "2026-11-24T12:00:00Z", "2026-11-30T09:00:00Z"},
		{"empty zone is UTC", "tue 10:30", "", "2026-11-24T12:00:00Z", "2026-12-01T10:30:00Z"},
		{"NY spring gap slot moves to 03:00 EDT", "sun 02:30", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
		{"NY fall overlap slot at first 01:30", "sun 01:30", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z"},
		{"NY fall overlap slot not again at second 01:30", "sun 01:30", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-08T06:30:00Z"},
		{"Lord Howe spring gap slot moves to 02:30", "sun 02:15", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", "2026-10-03T15:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := Location(tt.tz)
			got := pl.Next(tt.slot, tt.tz, at(t, tt.now))
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("got %s, want %s", fmtTime(got, loc), fmtTime(want, loc))
			}
		})
	}
}

// delivery says what a plan should send: nothing (nil), a skip, or the rotation's prompt.
type delivery struct {
	occurrence string // RFC3339
	skip       bool
}

func TestPlan(t *testing.T) {
	cat := builtin(t)
	// A history a few weeks into the rotation, so the expected prompt is not just the first one.
	var history []string
	for range 3 {
		p, _ := cat.NextPrompt("U1", history)
		w, _ := cat.WellbeingCheck(history)
		history = append(history, p.ID, w.ID)
	}

	type person struct {
		slot, tz           string
		nextDue            string // RFC3339
		pausedUntil        string // RFC3339, "" = not paused, "forever" = Forever
		streak, open       int
		askedToContinue    bool
		lastScheduled      string // RFC3339, "" = none
		lastOnDemandAnswer string // RFC3339, "" = none
	}
	tests := []struct {
		name    string
		spec    string // PROMPT_SCHEDULE; "" = "0 9 * * MON"
		p       person
		now     string
		want    *delivery // nil = nothing sent
		nextDue string
		ask     bool
		asked   bool
		streak  int
	}{
		{
			name: "due now",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "due at exactly now",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z"},
			now:  "2026-11-30T09:00:00Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "down three weeks sends only the latest occurrence",
			p:    person{tz: "UTC", nextDue: "2026-11-09T09:00:00Z", lastScheduled: "2026-11-02T09:00:00Z"},
			now:  "2026-11-30T12:00:00Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "down three weeks, back just before an occurrence, sends the one before",
			p:    person{tz: "UTC", nextDue: "2026-11-09T09:00:00Z", lastScheduled: "2026-11-02T09:00:00Z"},
			now:  "2026-11-30T08:59:59Z", want: &delivery{occurrence: "2026-11-23T09:00:00Z"}, nextDue: "2026-11-30T09:00:00Z",
		},
		{
			name: "catch-up until the next occurrence",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z"},
			now:  "2026-12-06T23:00:00Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "at the next occurrence the missed one is stale",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z"},
			now:  "2026-12-07T09:00:00Z", want: &delivery{occurrence: "2026-12-07T09:00:00Z"}, nextDue: "2026-12-14T09:00:00Z",
		},
		{
			name: "twice a week: the latest of the two",
			spec: "0 9 * * MON,THU",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z"},
			now:  "2026-12-04T10:00:00Z", want: &delivery{occurrence: "2026-12-03T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},

		// Pauses.
		{
			name: "paused past the occurrence",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", pausedUntil: "2026-12-01T00:00:00Z"},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "paused until resumed",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", pausedUntil: "forever"},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "pause ended before the occurrence",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", pausedUntil: "2026-11-29T00:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "pause ended at the occurrence",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", pausedUntil: "2026-11-30T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "pause ended during downtime: the latest occurrence is sent",
			p:    person{tz: "UTC", nextDue: "2026-11-09T09:00:00Z", pausedUntil: "2026-11-25T00:00:00Z"},
			now:  "2026-11-30T12:00:00Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "pause in the person's zone: midnight in New York is after 09:00 UTC",
			p:    person{tz: "America/New_York", nextDue: "2026-11-30T14:00:00Z", pausedUntil: "2026-12-01T05:00:00Z"},
			now:  "2026-11-30T14:00:10Z", nextDue: "2026-12-07T14:00:00Z",
		},

		// Gentle persistence.
		{
			name: "four unanswered: not sent, asked once",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", streak: 3, open: 1},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z", ask: true, asked: true, streak: 4,
		},
		{
			name: "four open: not sent, asked once",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", open: 4},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z", ask: true, asked: true, streak: 4,
		},
		{
			name: "four unanswered, already asked: not sent, not asked again",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", streak: 4, askedToContinue: true},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z", asked: true, streak: 4,
		},
		{
			name: "six unanswered, already asked: still silent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", streak: 5, open: 1, askedToContinue: true},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z", asked: true, streak: 6,
		},
		{
			name: "three unanswered: sent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", streak: 2, open: 1},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z", streak: 3,
		},
		{
			name: "asked before, carried on, three unanswered: sent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", streak: 3, askedToContinue: true},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z", asked: true, streak: 3,
		},
		{
			name: "paused and four unanswered: not sent, not asked",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", streak: 4, pausedUntil: "forever"},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z", streak: 4,
		},

		// Answering ahead.
		{
			name: "answered ahead since the last occurrence: skipped",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z", lastOnDemandAnswer: "2026-11-26T15:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z", skip: true}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "answered ahead during the catch-up window: skipped",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z", lastOnDemandAnswer: "2026-11-30T10:00:00Z"},
			now:  "2026-11-30T11:00:00Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z", skip: true}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "first week, answered on demand within the week: skipped",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastOnDemandAnswer: "2026-11-25T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z", skip: true}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "on-demand answer before the last occurrence: sent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z", lastOnDemandAnswer: "2026-11-23T08:59:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "on-demand answer at the last occurrence: sent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z", lastOnDemandAnswer: "2026-11-23T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "after a long pause, an answer more than a week back: sent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-09-07T09:00:00Z", lastOnDemandAnswer: "2026-11-20T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "first week, an answer more than a week back: sent",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastOnDemandAnswer: "2026-11-23T08:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "answered ahead but paused: nothing",
			p:    person{tz: "UTC", nextDue: "2026-11-30T09:00:00Z", lastScheduled: "2026-11-23T09:00:00Z", lastOnDemandAnswer: "2026-11-26T15:00:00Z", pausedUntil: "forever"},
			now:  "2026-11-30T09:00:10Z", nextDue: "2026-12-07T09:00:00Z",
		},

		// Personal slots.
		{
			name: "personal slot overrides the default",
			p:    person{slot: "tue 10:30", tz: "UTC", nextDue: "2026-12-01T10:30:00Z"},
			now:  "2026-12-01T10:31:00Z", want: &delivery{occurrence: "2026-12-01T10:30:00Z"}, nextDue: "2026-12-08T10:30:00Z",
		},
		{
			name: "personal slot catch-up after downtime",
			p:    person{slot: "tue 10:30", tz: "UTC", nextDue: "2026-11-10T10:30:00Z"},
			now:  "2026-12-07T09:00:00Z", want: &delivery{occurrence: "2026-12-01T10:30:00Z"}, nextDue: "2026-12-08T10:30:00Z",
		},
		{
			name: "unreadable slot falls back to the default",
			p:    person{slot: "funday 25:99", tz: "UTC", nextDue: "2026-11-30T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},

		// Time zones. America/New_York: 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
		{
			name: "NY spring gap slot sent at 03:00 EDT",
			p:    person{slot: "sun 02:30", tz: "America/New_York", nextDue: "2026-03-08T07:00:00Z"},
			now:  "2026-03-08T07:00:05Z", want: &delivery{occurrence: "2026-03-08T07:00:00Z"}, nextDue: "2026-03-15T06:30:00Z",
		},
		{
			name: "NY spring gap slot found by catch-up from the week before",
			p:    person{slot: "sun 02:30", tz: "America/New_York", nextDue: "2026-03-01T07:30:00Z"},
			now:  "2026-03-08T07:30:00Z", want: &delivery{occurrence: "2026-03-08T07:00:00Z"}, nextDue: "2026-03-15T06:30:00Z",
		},
		{
			name: "NY fall overlap slot sent at the first 01:30",
			p:    person{slot: "sun 01:30", tz: "America/New_York", nextDue: "2026-11-01T05:30:00Z"},
			now:  "2026-11-01T05:30:05Z", want: &delivery{occurrence: "2026-11-01T05:30:00Z"}, nextDue: "2026-11-08T06:30:00Z",
		},
		{
			name: "NY fall overlap slot handled in the second 01:30 still once",
			p:    person{slot: "sun 01:30", tz: "America/New_York", nextDue: "2026-11-01T05:30:00Z"},
			now:  "2026-11-01T06:45:00Z", want: &delivery{occurrence: "2026-11-01T05:30:00Z"}, nextDue: "2026-11-08T06:30:00Z",
		},
		{
			name: "NY fall overlap slot by catch-up from the week before",
			p:    person{slot: "sun 01:30", tz: "America/New_York", nextDue: "2026-10-25T05:30:00Z"},
			now:  "2026-11-01T06:31:00Z", want: &delivery{occurrence: "2026-11-01T05:30:00Z"}, nextDue: "2026-11-08T06:30:00Z",
		},
		{
			name: "NY default across spring keeps 09:00 local",
			p:    person{tz: "America/New_York", nextDue: "2026-03-02T14:00:00Z"},
			now:  "2026-03-09T13:00:05Z", want: &delivery{occurrence: "2026-03-09T13:00:00Z"}, nextDue: "2026-03-16T13:00:00Z",
		},
		{
			name: "NY default across fall keeps 09:00 local",
			p:    person{tz: "America/New_York", nextDue: "2026-10-26T13:00:00Z"},
			now:  "2026-11-02T14:00:05Z", want: &delivery{occurrence: "2026-11-02T14:00:00Z"}, nextDue: "2026-11-09T14:00:00Z",
		},
		{
			name: "NY default: 09:00 UTC is not yet 09:00 local",
			p:    person{tz: "America/New_York", nextDue: "2026-11-23T14:00:00Z"},
			now:  "2026-11-30T09:00:05Z", want: &delivery{occurrence: "2026-11-23T14:00:00Z"}, nextDue: "2026-11-30T14:00:00Z",
		},

		// Europe/London: 2026-03-29 01:00 GMT → 02:00 BST; 2026-10-25 02:00 BST → 01:00 GMT.
		{
			name: "London spring gap slot sent at 02:00 BST",
			p:    person{slot: "sun 01:15", tz: "Europe/London", nextDue: "2026-03-22T01:15:00Z"},
			now:  "2026-03-29T01:00:30Z", want: &delivery{occurrence: "2026-03-29T01:00:00Z"}, nextDue: "2026-04-05T00:15:00Z",
		},
		{
			name: "London fall overlap slot once",
			p:    person{slot: "sun 01:30", tz: "Europe/London", nextDue: "2026-10-18T00:30:00Z"},
			now:  "2026-10-25T01:45:00Z", want: &delivery{occurrence: "2026-10-25T00:30:00Z"}, nextDue: "2026-11-01T01:30:00Z",
		},
		{
			name: "London default across spring",
			p:    person{tz: "Europe/London", nextDue: "2026-03-23T09:00:00Z"},
			now:  "2026-03-30T08:30:00Z", want: &delivery{occurrence: "2026-03-30T08:00:00Z"}, nextDue: "2026-04-06T08:00:00Z",
		},
		{
			name: "London default across fall",
			p:    person{tz: "Europe/London", nextDue: "2026-10-19T08:00:00Z"},
			now:  "2026-10-26T09:00:00Z", want: &delivery{occurrence: "2026-10-26T09:00:00Z"}, nextDue: "2026-11-02T09:00:00Z",
		},

		// Australia/Lord_Howe: 2026-04-05 02:00 (+11) → 01:30 (+10:30); 2026-10-04 02:00 (+10:30) → 02:30 (+11).
		{
			name: "Lord Howe spring gap slot sent at 02:30",
			p:    person{slot: "sun 02:15", tz: "Australia/Lord_Howe", nextDue: "2026-09-26T15:45:00Z"},
			now:  "2026-10-03T15:31:00Z", want: &delivery{occurrence: "2026-10-03T15:30:00Z"}, nextDue: "2026-10-10T15:15:00Z",
		},
		{
			name: "Lord Howe fall overlap slot once",
			p:    person{slot: "sun 01:45", tz: "Australia/Lord_Howe", nextDue: "2026-04-04T14:45:00Z"},
			now:  "2026-04-04T15:20:00Z", want: &delivery{occurrence: "2026-04-04T14:45:00Z"}, nextDue: "2026-04-11T15:15:00Z",
		},
		{
			name: "Lord Howe default across fall",
			p:    person{tz: "Australia/Lord_Howe", nextDue: "2026-03-29T22:00:00Z"},
			now:  "2026-04-05T22:30:00Z", want: &delivery{occurrence: "2026-04-05T22:30:00Z"}, nextDue: "2026-04-12T22:30:00Z",
		},
		{
			name: "Lord Howe default across spring",
			p:    person{tz: "Australia/Lord_Howe", nextDue: "2026-09-27T22:30:00Z"},
			now:  "2026-10-04T22:00:00Z", want: &delivery{occurrence: "2026-10-04T22:00:00Z"}, nextDue: "2026-10-11T22:00:00Z",
		},

		// Zones that cannot be read.
		{
			name: "unknown zone is UTC",
			p:    person{tz: "Mars/Olympus_Mons", nextDue: "2026-11-30T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},
		{
			name: "empty zone is UTC",
			p:    person{tz: "", nextDue: "2026-11-30T09:00:00Z"},
			now:  "2026-11-30T09:00:10Z", want: &delivery{occurrence: "2026-11-30T09:00:00Z"}, nextDue: "2026-12-07T09:00:00Z",
		},

		// Long downtime on a frequent schedule goes past maxCatchUpSteps.
		{
			name: "every minute, walk just under the step bound",
			spec: "* * * * *",
			p:    person{tz: "UTC", nextDue: "2026-11-30T00:00:00Z"},
			now:  "2026-11-30T16:39:30Z", want: &delivery{occurrence: "2026-11-30T16:39:00Z"}, nextDue: "2026-11-30T16:40:00Z",
		},
		{
			name: "every minute, just over the step bound",
			spec: "* * * * *",
			p:    person{tz: "UTC", nextDue: "2026-11-30T00:00:00Z"},
			now:  "2026-11-30T16:41:30Z", want: &delivery{occurrence: "2026-11-30T16:41:00Z"}, nextDue: "2026-11-30T16:42:00Z",
		},
		{
			name: "every minute, down a month",
			spec: "* * * * *",
			p:    person{tz: "UTC", nextDue: "2026-10-30T12:00:00Z"},
			now:  "2026-11-30T12:34:56.789Z", want: &delivery{occurrence: "2026-11-30T12:34:00Z"}, nextDue: "2026-11-30T12:35:00Z",
		},
		{
			name: "office hours, down a month, back on a Saturday: Friday's last",
			spec: "*/5 9-17 * * MON-FRI",
			p:    person{tz: "Europe/London", nextDue: "2026-10-30T09:00:00Z"},
			now:  "2026-11-28T12:00:00Z", want: &delivery{occurrence: "2026-11-27T17:55:00Z"}, nextDue: "2026-11-30T09:00:00Z",
		},
		{
			// Every wall-clock minute fires once, at its first instance: the repeated hour
			// 01:00-02:00 EST has no occurrences, so the latest is 01:59 EDT and the next 02:00 EST.
			name: "every minute in New York, down into the repeated fall hour",
			spec: "* * * * *",
			p:    person{tz: "America/New_York", nextDue: "2026-10-20T00:00:00Z"},
			now:  "2026-11-01T06:10:20Z", want: &delivery{occurrence: "2026-11-01T05:59:00Z"}, nextDue: "2026-11-01T07:00:00Z",
		},
		{
			name: "every minute in New York, down over the spring gap",
			spec: "* * * * *",
			p:    person{tz: "America/New_York", nextDue: "2026-02-20T00:00:00Z"},
			now:  "2026-03-08T07:00:30Z", want: &delivery{occurrence: "2026-03-08T07:00:00Z"}, nextDue: "2026-03-08T07:01:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			if spec == "" {
				spec = "0 9 * * MON"
			}
			pl := Planner{Default: mustSpec(t, spec), Catalogue: cat}
			loc := Location(tt.p.tz)
			opt := func(s string) time.Time {
				if s == "" {
					return time.Time{}
				}
				return at(t, s)
			}
			nextDue := at(t, tt.p.nextDue)
			d := db.DuePerson{
				Person: db.Person{
					UserID: "U1", TZ: tt.p.tz, Slot: tt.p.slot, NextDueAt: &nextDue,
					UnansweredStreak: tt.p.streak, AskedToContinue: tt.p.askedToContinue,
				},
				LastScheduled:      opt(tt.p.lastScheduled),
				LastOnDemandAnswer: opt(tt.p.lastOnDemandAnswer),
				OpenScheduled:      tt.p.open,
				Asked:              slices.Clone(history),
			}
			switch tt.p.pausedUntil {
			case "":
			case "forever":
				d.PausedUntil = &Forever
			default:
				until := at(t, tt.p.pausedUntil)
				d.PausedUntil = &until
			}
			now := at(t, tt.now)

			got := pl.Plan(d, now)

			if got.UserID != "U1" {
				t.Errorf("got UserID %q, want %q", got.UserID, "U1")
			}
			if !got.WasDue.Equal(nextDue) {
				t.Errorf("got WasDue %s, want %s", fmtTime(got.WasDue, loc), fmtTime(nextDue, loc))
			}
			if want := at(t, tt.nextDue); !got.NextDue.Equal(want) {
				t.Errorf("got NextDue %s, want %s", fmtTime(got.NextDue, loc), fmtTime(want, loc))
			}
			if !got.NextDue.After(now) {
				t.Errorf("got NextDue %s, want after now %s", fmtTime(got.NextDue, loc), fmtTime(now, loc))
			}
			if got.Ask != tt.ask || got.Asked != tt.asked {
				t.Errorf("got Ask %v, Asked %v; want Ask %v, Asked %v", got.Ask, got.Asked, tt.ask, tt.asked)
			}
			if got.Streak != tt.streak {
				t.Errorf("got Streak %d, want %d", got.Streak, tt.streak)
			}
			// The occurrence served is the latest at or before now, and it never goes back past
			// the one that was due.
			if got.Expire.After(now) || got.Expire.Before(nextDue) {
				t.Errorf("got Expire %s, want between WasDue %s and now %s", fmtTime(got.Expire, loc), fmtTime(nextDue, loc), fmtTime(now, loc))
			}

			if tt.want == nil {
				if got.Deliver != nil {
					t.Fatalf("got delivery %+v, want none", *got.Deliver)
				}
				return
			}
			if got.Deliver == nil {
				t.Fatalf("got no delivery, want one for %s", tt.want.occurrence)
			}
			occ := at(t, tt.want.occurrence)
			if !got.Deliver.Occurrence.Equal(occ) {
				t.Errorf("got occurrence %s, want %s", fmtTime(got.Deliver.Occurrence, loc), fmtTime(occ, loc))
			}
			if !got.Expire.Equal(occ) {
				t.Errorf("got Expire %s, want the occurrence %s", fmtTime(got.Expire, loc), fmtTime(occ, loc))
			}
			if got.Deliver.Kind != db.DeliveryScheduled {
				t.Errorf("got kind %q, want %q", got.Deliver.Kind, db.DeliveryScheduled)
			}
			if got.Deliver.Skip != tt.want.skip {
				t.Errorf("got Skip %v, want %v", got.Deliver.Skip, tt.want.skip)
			}
			wantPrompt, wantCheck := "", ""
			if !tt.want.skip {
				p, _ := cat.NextPrompt("U1", history)
				w, _ := cat.WellbeingCheck(history)
				wantPrompt, wantCheck = p.ID, w.ID
			}
			if got.Deliver.PromptID != wantPrompt || got.Deliver.WellbeingPromptID != wantCheck {
				t.Errorf("got prompt %q with check %q, want %q with %q",
					got.Deliver.PromptID, got.Deliver.WellbeingPromptID, wantPrompt, wantCheck)
			}
		})
	}
}

// TestPlanMonthlySummary: the first occurrence of a month carries the summary of the month before,
// for someone enrolled before the month began, also when an answer given ahead stands in for it.
func TestPlanMonthlySummary(t *testing.T) {
	pl := Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: builtin(t)}
	tests := []struct {
		name               string
		created, nextDue   string
		lastOnDemandAnswer string // "" = none
		wantSkip           bool
		want               string // the month summarised, "" = none
	}{
		{name: "first prompt of April", created: "2026-03-01T10:00:00Z", nextDue: "2026-04-06T08:00:00Z", want: "2026-03"},
		{name: "enrolled in April", created: "2026-04-02T10:00:00Z", nextDue: "2026-04-06T08:00:00Z"},
		{name: "answered ahead", created: "2026-03-01T10:00:00Z", nextDue: "2026-04-06T08:00:00Z",
			lastOnDemandAnswer: "2026-04-02T10:00:00Z", wantSkip: true, want: "2026-03"},
		{name: "answered ahead, enrolled in April", created: "2026-04-01T10:00:00Z", nextDue: "2026-04-06T08:00:00Z",
			lastOnDemandAnswer: "2026-04-02T10:00:00Z", wantSkip: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nextDue := at(t, tt.nextDue)
			d := db.DuePerson{Person: db.Person{UserID: "U1", TZ: "Europe/London", NextDueAt: &nextDue, CreatedAt: at(t, tt.created)}}
			if tt.lastOnDemandAnswer != "" {
				d.LastOnDemandAnswer = at(t, tt.lastOnDemandAnswer)
			}
			got := pl.Plan(d, nextDue.Add(time.Minute))
			if got.Deliver == nil || got.Deliver.Skip != tt.wantSkip {
				t.Fatalf("got delivery %+v, want one with Skip %v", got.Deliver, tt.wantSkip)
			}
			if got.Summary != tt.want {
				t.Errorf("got summary %q, want %q", got.Summary, tt.want)
			}
		})
	}
}

// TestPlanRotation plans week after week from an empty history and checks the rotation's shape:
// a prompt of the rotation every week with a wellbeing check of its own, and no prompt
// repeated before the catalogue is used up.
func TestPlanRotation(t *testing.T) {
	cat := builtin(t)
	pl := Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: cat}
	rotation := 0
	for _, p := range cat.Prompts {
		if p.Dimension != prompts.Wellbeing {
			rotation++
		}
	}
	due := at(t, "2026-01-05T09:00:00Z")
	var asked []string
	seen := map[string]bool{}
	for week := range rotation {
		d := db.DuePerson{Person: db.Person{UserID: "U1", TZ: "UTC", NextDueAt: &due}, Asked: asked}
		plan := pl.Plan(d, due.Add(time.Minute))
		if plan.Deliver == nil || plan.Deliver.PromptID == "" {
			t.Fatalf("week %d: got %+v, want a delivery with a prompt", week, plan.Deliver)
		}
		id, check := plan.Deliver.PromptID, plan.Deliver.WellbeingPromptID
		p, ok := cat.Prompt(id)
		if !ok || p.Dimension == prompts.Wellbeing {
			t.Fatalf("week %d: got prompt %q (dimension %q), want a rotation prompt", week, id, p.Dimension)
		}
		if seen[id] {
			t.Fatalf("week %d: got %q again before the rotation of %d was used up", week, id, rotation)
		}
		seen[id] = true
		w, ok := cat.Prompt(check)
		if !ok || w.Dimension != prompts.Wellbeing || w.Kind == prompts.Text {
			t.Fatalf("week %d: got wellbeing check %q (dimension %q, kind %q), want a one-tap wellbeing prompt", week, check, w.Dimension, w.Kind)
		}
		asked = append(asked, id, check)
		due = plan.NextDue
	}
}

// fakeDueStore is a DueStore whose methods are the func fields; nil means "not expected".
type fakeDueStore struct {
	t              *testing.T
	duePeople      func(ctx context.Context, now time.Time, limit int) ([]db.DuePerson, error)
	applyDue       func(ctx context.Context, plans []db.DuePlan) (int, error)
	queueReminders func(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

var _ DueStore = (*fakeDueStore)(nil)

func (f *fakeDueStore) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]db.DuePerson, error) {
	if f.duePeople == nil {
		f.t.Fatal("unexpected ClaimDue")
	}
	if lease <= 0 {
		f.t.Errorf("ClaimDue with lease %s, want a positive one", lease)
	}
	return f.duePeople(ctx, now, limit)
}

func (f *fakeDueStore) ApplyDue(ctx context.Context, plans []db.DuePlan) (int, error) {
	if f.applyDue == nil {
		f.t.Fatal("unexpected ApplyDue")
	}
	return f.applyDue(ctx, plans)
}

func (f *fakeDueStore) QueueReminders(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	if f.queueReminders == nil {
		f.t.Fatal("unexpected QueueReminders")
	}
	return f.queueReminders(ctx, cutoff, limit)
}

// duePeopleQueue is a store's worth of due people: DuePeople hands out the earliest, ApplyDue
// removes the ones it applied (as the real store does by moving next_due_at past now).
type duePeopleQueue struct {
	people    []db.DuePerson
	reminders int // reminders waiting to be queued

	duePeopleLimits []int // the limit of every DuePeople call
	applied         [][]db.DuePlan
	cutoffs         []time.Time
	reminderLimits  []int
}

func newDueQueue(n int, due time.Time) *duePeopleQueue {
	q := &duePeopleQueue{}
	for i := range n {
		q.people = append(q.people, db.DuePerson{Person: db.Person{UserID: fmt.Sprintf("U%d", i), TZ: "UTC", NextDueAt: &due}})
	}
	return q
}

func (q *duePeopleQueue) store(t *testing.T, now time.Time) *fakeDueStore {
	return &fakeDueStore{
		t: t,
		duePeople: func(_ context.Context, got time.Time, limit int) ([]db.DuePerson, error) {
			if !got.Equal(now) {
				t.Errorf("DuePeople: got now %s, want %s", got, now)
			}
			q.duePeopleLimits = append(q.duePeopleLimits, limit)
			if len(q.duePeopleLimits) > 100 {
				t.Fatalf("DuePeople called %d times: Tick does not stop", len(q.duePeopleLimits))
			}
			return slices.Clone(q.people[:min(limit, len(q.people))]), nil
		},
		applyDue: func(_ context.Context, plans []db.DuePlan) (int, error) {
			q.applied = append(q.applied, plans)
			q.people = slices.DeleteFunc(q.people, func(d db.DuePerson) bool {
				return slices.ContainsFunc(plans, func(p db.DuePlan) bool { return p.UserID == d.UserID })
			})
			return len(plans), nil
		},
		queueReminders: func(_ context.Context, cutoff time.Time, limit int) (int, error) {
			q.cutoffs = append(q.cutoffs, cutoff)
			q.reminderLimits = append(q.reminderLimits, limit)
			if len(q.reminderLimits) > 100 {
				t.Fatalf("QueueReminders called %d times: Tick does not stop", len(q.reminderLimits))
			}
			n := min(limit, q.reminders)
			q.reminders -= n
			return n, nil
		},
	}
}

func TestLoopTick(t *testing.T) {
	due := at(t, "2026-11-30T09:00:00Z")
	now := at(t, "2026-11-30T09:00:30Z")
	tests := []struct {
		name          string
		people        int
		reminders     int
		batch         int
		reminderAfter time.Duration

		wantHandled   int
		wantBatches   []int // sizes of the ApplyDue calls
		wantDueCalls  int
		wantReminders []int // limits of the QueueReminders calls; nil = never called
		wantNotify    int
	}{
		{name: "nothing due, no reminders", batch: 200,
			wantDueCalls: 1},
		{name: "fewer than a batch", people: 3, batch: 200,
			wantHandled: 3, wantBatches: []int{3}, wantDueCalls: 1, wantNotify: 1},
		{name: "several batches until a short one", people: 5, batch: 2,
			wantHandled: 5, wantBatches: []int{2, 2, 1}, wantDueCalls: 3, wantNotify: 3},
		{name: "an exact number of batches asks once more", people: 4, batch: 2,
			wantHandled: 4, wantBatches: []int{2, 2}, wantDueCalls: 3, wantNotify: 2},
		{name: "reminders off: not queued", people: 1, reminders: 5, batch: 2,
			wantHandled: 1, wantBatches: []int{1}, wantDueCalls: 1, wantNotify: 1},
		{name: "reminders on, none waiting", batch: 2, reminderAfter: 48 * time.Hour,
			wantDueCalls: 1, wantReminders: []int{2}},
		{name: "reminders in batches until a short one", reminders: 5, batch: 2, reminderAfter: 48 * time.Hour,
			wantDueCalls: 1, wantReminders: []int{2, 2, 2}, wantNotify: 3},
		{name: "reminders filling the last batch exactly", reminders: 4, batch: 2, reminderAfter: time.Hour,
			wantDueCalls: 1, wantReminders: []int{2, 2, 2}, wantNotify: 2},
		{name: "prompts and reminders", people: 3, reminders: 1, batch: 2, reminderAfter: 48 * time.Hour,
			wantHandled: 3, wantBatches: []int{2, 1}, wantDueCalls: 2, wantReminders: []int{2}, wantNotify: 3},
		{name: "zero batch uses the default", people: 3, reminders: 3, batch: 0, reminderAfter: time.Hour,
			wantHandled: 3, wantBatches: []int{3}, wantDueCalls: 1, wantReminders: []int{200}, wantNotify: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newDueQueue(tt.people, due)
			q.reminders = tt.reminders
			nowCalls := 0
			loop := NewLoop(q.store(t, now), Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: builtin(t)},
				func() time.Time { nowCalls++; return now }, nil)
			loop.Batch = tt.batch
			loop.ReminderAfter = tt.reminderAfter
			notified := 0
			loop.Notify = func() { notified++ }

			got, err := loop.Tick(context.Background())
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if got != tt.wantHandled {
				t.Errorf("got %d handled, want %d", got, tt.wantHandled)
			}
			if nowCalls != 1 {
				t.Errorf("got Now read %d times, want once per tick", nowCalls)
			}
			var sizes []int
			for _, plans := range q.applied {
				sizes = append(sizes, len(plans))
				for _, p := range plans {
					if !p.WasDue.Equal(due) || p.Deliver == nil || !p.Deliver.Occurrence.Equal(due) {
						t.Errorf("got plan %+v, want one delivering the occurrence %s", p, due)
					}
				}
			}
			if !slices.Equal(sizes, tt.wantBatches) {
				t.Errorf("got ApplyDue batches %v, want %v", sizes, tt.wantBatches)
			}
			if len(q.people) != 0 {
				t.Errorf("got %d people left due, want 0", len(q.people))
			}
			if len(q.duePeopleLimits) != tt.wantDueCalls {
				t.Errorf("got %d DuePeople calls, want %d", len(q.duePeopleLimits), tt.wantDueCalls)
			}
			wantLimit := tt.batch
			if wantLimit == 0 {
				wantLimit = 200
			}
			for _, l := range q.duePeopleLimits {
				if l != wantLimit {
					t.Errorf("got DuePeople limit %d, want %d", l, wantLimit)
				}
			}
			if !slices.Equal(q.reminderLimits, tt.wantReminders) {
				t.Errorf("got QueueReminders limits %v, want %v", q.reminderLimits, tt.wantReminders)
			}
			for _, c := range q.cutoffs {
				if want := now.Add(-tt.reminderAfter); !c.Equal(want) {
					t.Errorf("got reminder cutoff %s, want %s", c, want)
				}
			}
			if q.reminders != 0 && tt.reminderAfter > 0 {
				t.Errorf("got %d reminders left, want 0", q.reminders)
			}
			if notified != tt.wantNotify {
				t.Errorf("got Notify called %d times, want %d", notified, tt.wantNotify)
			}
		})
	}
}

func TestLoopTickErrors(t *testing.T) {
	due := at(t, "2026-11-30T09:00:00Z")
	now := at(t, "2026-11-30T09:00:30Z")
	boom := errors.New("boom")
	tests := []struct {
		name        string
		break_      func(s *fakeDueStore)
		wantHandled int
		wantNotify  int
	}{
		{
			name: "DuePeople fails first",
			break_: func(s *fakeDueStore) {
				s.duePeople = func(context.Context, time.Time, int) ([]db.DuePerson, error) { return nil, boom }
				s.applyDue, s.queueReminders = nil, nil
			},
		},
		{
			name: "DuePeople fails on the second batch",
			break_: func(s *fakeDueStore) {
				first := s.duePeople
				calls := 0
				s.duePeople = func(ctx context.Context, now time.Time, limit int) ([]db.DuePerson, error) {
					if calls++; calls == 2 {
						return nil, boom
					}
					return first(ctx, now, limit)
				}
				s.queueReminders = nil
			},
			wantHandled: 2, wantNotify: 1,
		},
		{
			name: "ApplyDue fails",
			break_: func(s *fakeDueStore) {
				s.applyDue = func(context.Context, []db.DuePlan) (int, error) { return 0, boom }
				s.queueReminders = nil
			},
		},
		{
			name: "QueueReminders fails",
			break_: func(s *fakeDueStore) {
				s.queueReminders = func(context.Context, time.Time, int) (int, error) { return 0, boom }
			},
			wantHandled: 3, wantNotify: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newDueQueue(3, due)
			s := q.store(t, now)
			tt.break_(s)
			loop := NewLoop(s, Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: builtin(t)},
				func() time.Time { return now }, nil)
			loop.Batch = 2
			loop.ReminderAfter = time.Hour
			notified := 0
			loop.Notify = func() { notified++ }

			got, err := loop.Tick(context.Background())
			if !errors.Is(err, boom) {
				t.Errorf("got error %v, want %v", err, boom)
			}
			if got != tt.wantHandled {
				t.Errorf("got %d handled, want %d", got, tt.wantHandled)
			}
			if notified != tt.wantNotify {
				t.Errorf("got Notify called %d times, want %d", notified, tt.wantNotify)
			}
		})
	}
}

func TestNewLoopDefaults(t *testing.T) {
	loop := NewLoop(&fakeDueStore{t: t}, Planner{}, nil, nil)
	if loop.Interval != 15*time.Second || loop.Batch != 200 {
		t.Errorf("got Interval %s, Batch %d; want 15s, 200", loop.Interval, loop.Batch)
	}
	if loop.Now == nil || loop.Notify == nil || loop.Log == nil {
		t.Fatalf("got Now %v, Notify %v, Log %v; want all set", loop.Now == nil, loop.Notify == nil, loop.Log == nil)
	}
	if d := time.Since(loop.Now()); d < 0 || d > time.Minute {
		t.Errorf("got Now %s away from the clock, want the real time", d)
	}
	loop.Notify() // must not panic
}

// TestLoopRun checks that Run ticks at once and on Poke, without waiting for the interval, and
// returns when its context ends.
func TestLoopRun(t *testing.T) {
	now := at(t, "2026-11-30T09:00:30Z")
	ticks := make(chan struct{})
	store := &fakeDueStore{t: t, duePeople: func(ctx context.Context, _ time.Time, _ int) ([]db.DuePerson, error) {
		select {
		case ticks <- struct{}{}:
		case <-ctx.Done():
		}
		return nil, nil
	}}
	loop := NewLoop(store, Planner{}, func() time.Time { return now }, nil)
	loop.Interval = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = loop.Run(ctx) })

	<-ticks // the first look, at once
	loop.Poke()
	<-ticks // the poke
	loop.Poke()
	loop.Poke() // Poke never blocks, even with a poke already pending
	<-ticks
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Errorf("got %v, want nil", runErr)
	}
}

// nextDueStore is a fakeDueStore that also says when the next occurrence comes.
type nextDueStore struct {
	*fakeDueStore
	next func(now time.Time) (time.Time, bool, error)
}

func (f nextDueStore) NextDueAfter(_ context.Context, now time.Time) (time.Time, bool, error) {
	return f.next(now)
}

// TestLoopWakesForNextOccurrence checks that Run looks again when the next person's occurrence
// comes, not an Interval later, and only sooner than the Interval: a fan-out's time runs from the
// occurrence, and a loop that noticed it up to an Interval late would add that much to it.
func TestLoopWakesForNextOccurrence(t *testing.T) {
	tests := []struct {
		name      string
		next      func(now time.Time) (time.Time, bool, error)
		wantAgain bool // a second tick comes before the Interval
	}{
		{name: "occurrence in 50 ms", next: func(now time.Time) (time.Time, bool, error) {
			return now.Add(50 * time.Millisecond), true, nil
		}, wantAgain: true},
		{name: "no occurrence ahead", next: func(time.Time) (time.Time, bool, error) { return time.Time{}, false, nil }},
		{name: "occurrence after the interval", next: func(now time.Time) (time.Time, bool, error) {
			return now.Add(2 * time.Hour), true, nil
		}},
		{name: "store failing", next: func(time.Time) (time.Time, bool, error) {
			return time.Time{}, false, errors.New("database unreachable")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticks := make(chan struct{}, 10)
			store := nextDueStore{fakeDueStore: &fakeDueStore{t: t, duePeople: func(context.Context, time.Time, int) ([]db.DuePerson, error) {
				ticks <- struct{}{}
				return nil, nil
			}}, next: tt.next}
			loop := NewLoop(store, Planner{}, time.Now, nil)
			loop.Interval = time.Hour
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { _ = loop.Run(ctx) })
			<-ticks // the first look, at once
			select {
			case <-ticks:
				if !tt.wantAgain {
					t.Error("the loop looked again before its interval, want it to wait")
				}
			case <-time.After(2 * time.Second):
				if tt.wantAgain {
					t.Error("the loop did not look again when the occurrence came")
				}
			}
			cancel()
			wg.Wait()
		})
	}
}

func TestTickRunsJobs(t *testing.T) {
	now := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	var ran []time.Time
	fail := errors.New("job failed")
	store := &fakeDueStore{t: t, duePeople: func(context.Context, time.Time, int) ([]db.DuePerson, error) { return nil, nil }}
	l := NewLoop(store, Planner{}, func() time.Time { return now }, nil)
	l.AddJob("first", 0, func(_ context.Context, at time.Time) error { ran = append(ran, at); return nil })
	l.AddJob("second", 0, func(context.Context, time.Time) error { return fail })
	if _, err := l.Tick(context.Background()); !errors.Is(err, fail) {
		t.Errorf("got error %v, want the job's error", err)
	}
	if len(ran) != 1 || !ran[0].Equal(now) {
		t.Errorf("got job runs %v, want one at %s", ran, now)
	}
}
