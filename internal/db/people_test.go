package db

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestUpsertPerson(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		steps := []struct {
			name  string
			in    Person
			want  Person // only the fields Slack fills, plus UpdatedAt
			after time.Duration
		}{
			{name: "insert with defaults", in: Person{UserID: "U1"},
				want: Person{UserID: "U1", TZ: "UTC"}},
			{name: "profile arrives", in: Person{UserID: "U1", TeamID: "T1", TZ: "America/New_York", DMChannelID: "D1"}, after: time.Minute,
				want: Person{UserID: "U1", TeamID: "T1", TZ: "America/New_York", DMChannelID: "D1"}},
			{name: "partial profile keeps what is known", in: Person{UserID: "U1"}, after: 2 * time.Minute,
				want: Person{UserID: "U1", TeamID: "T1", TZ: "America/New_York", DMChannelID: "D1"}},
			{name: "time zone changes", in: Person{UserID: "U1", TZ: "Asia/Tokyo"}, after: 3 * time.Minute,
				want: Person{UserID: "U1", TeamID: "T1", TZ: "Asia/Tokyo", DMChannelID: "D1"}},
			{name: "schedule fields are ignored", in: Person{UserID: "U1", Slot: "tue 10:30", UnansweredStreak: 3, AskedToContinue: true, Deleted: true, NextDueAt: &t0}, after: 4 * time.Minute,
				want: Person{UserID: "U1", TeamID: "T1", TZ: "Asia/Tokyo", DMChannelID: "D1"}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Advance(t0.Add(st.after).Sub(clock.Now()))
				if err := s.UpsertPerson(ctx, st.in); err != nil {
					t.Fatal(err)
				}
				got, err := s.Person(ctx, st.in.UserID)
				if err != nil {
					t.Fatal(err)
				}
				want := st.want
				want.CreatedAt, want.UpdatedAt = t0, t0.Add(st.after)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Person = %+v\nwant %+v", got, want)
				}
			})
		}
		if err := s.UpsertPerson(ctx, Person{}); err == nil {
			t.Error("UpsertPerson with no user id succeeded, want an error")
		}
	})
}

// TestPersonReadsScheduleState checks the scan of every nullable and boolean column.
func TestPersonReadsScheduleState(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		paused := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		due := time.Date(2025, 3, 11, 8, 30, 0, 123e6, time.UTC)
		if _, err := s.write.Exec(`
		UPDATE people SET slot = 'tue 10:30', paused_until = ?, next_due_at = ?, unanswered_streak = 4,
		       asked_to_continue = 1, deleted = 1 WHERE user_id = 'U1'`, millis(paused), millis(due)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Person(ctx, "U1")
		if err != nil {
			t.Fatal(err)
		}
		want := Person{UserID: "U1", TeamID: "T1", TZ: "Europe/Paris", Slot: "tue 10:30", PausedUntil: &paused,
			NextDueAt: &due, UnansweredStreak: 4, AskedToContinue: true, Deleted: true, CreatedAt: t0, UpdatedAt: t0}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Person = %+v\nwant %+v", got, want)
		}
	})
}

func TestEnrol(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		steps := []struct {
			name    string
			op      string // enrol or unenrol
			user    string
			source  string
			want    bool
			wantErr error // nil, ErrNotFound, or errAny
			wantNow []string
		}{
			{name: "self", op: "enrol", user: "U1", source: "self", want: true, wantNow: []string{"self"}},
			{name: "self again", op: "enrol", user: "U1", source: "self", want: false, wantNow: []string{"self"}},
			{name: "via channel", op: "enrol", user: "U1", source: "channel:C1", want: true, wantNow: []string{"channel:C1", "self"}},
			{name: "bad source", op: "enrol", user: "U1", source: "team", wantErr: errAny, wantNow: []string{"channel:C1", "self"}},
			{name: "channel without id", op: "enrol", user: "U1", source: "channel:", wantErr: errAny, wantNow: []string{"channel:C1", "self"}},
			{name: "unknown person", op: "enrol", user: "UX", source: "self", wantErr: ErrNotFound},
			{name: "leave personally, channel stays", op: "unenrol", user: "U1", source: "self", want: true, wantNow: []string{"channel:C1"}},
			{name: "leave twice", op: "unenrol", user: "U1", source: "self", want: false, wantNow: []string{"channel:C1"}},
			{name: "channel opted out", op: "unenrol", user: "U1", source: "channel:C1", want: true},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				var (
					got bool
					err error
				)
				if st.op == "enrol" {
					got, err = s.Enrol(ctx, st.user, st.source)
				} else {
					got, err = s.Unenrol(ctx, st.user, st.source)
				}
				switch {
				case st.wantErr == nil && err != nil:
					t.Fatalf("%s: %v", st.op, err)
				case st.wantErr == errAny && err == nil, st.wantErr != nil && st.wantErr != errAny && !errors.Is(err, st.wantErr):
					t.Fatalf("%s error = %v, want %v", st.op, err, st.wantErr)
				}
				if got != st.want {
					t.Errorf("%s(%s, %s) = %v, want %v", st.op, st.user, st.source, got, st.want)
				}
				now, err := s.Enrolments(ctx, st.user)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(now, st.wantNow) {
					t.Errorf("Enrolments = %v, want %v", now, st.wantNow)
				}
			})
		}
	})
}

// errAny marks a case that wants some error, whichever.
var errAny = errors.New("any error")

func TestMarkPersonDeleted(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		addPerson(t, s, "U2")
		for _, u := range []string{"U1", "U2"} {
			if _, err := s.Enrol(ctx, u, "self"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.write.Exec(`UPDATE people SET next_due_at = ? WHERE user_id = ?`, millis(t0), u); err != nil {
				t.Fatal(err)
			}
		}
		sending, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimOutbox(ctx, time.Minute, 1); err != nil {
			t.Fatal(err)
		}
		pending, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt"})
		if err != nil {
			t.Fatal(err)
		}
		others, err := s.Enqueue(ctx, OutboxMessage{UserID: "U2", Kind: "prompt"})
		if err != nil {
			t.Fatal(err)
		}

		if err := s.MarkPersonDeleted(ctx, "U1"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkPersonDeleted(ctx, "UX"); !errors.Is(err, ErrNotFound) {
			t.Errorf("MarkPersonDeleted(unknown) error = %v, want ErrNotFound", err)
		}

		tests := []struct {
			name        string
			user        string
			wantDeleted bool
			wantDue     bool
			wantEnrols  int
		}{
			{name: "deleted person", user: "U1", wantDeleted: true, wantDue: false, wantEnrols: 0},
			{name: "other person untouched", user: "U2", wantDeleted: false, wantDue: true, wantEnrols: 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, err := s.Person(ctx, tt.user)
				if err != nil {
					t.Fatal(err)
				}
				if p.Deleted != tt.wantDeleted || (p.NextDueAt != nil) != tt.wantDue {
					t.Errorf("Deleted = %v, scheduled = %v; want %v, %v", p.Deleted, p.NextDueAt != nil, tt.wantDeleted, tt.wantDue)
				}
				if e, err := s.Enrolments(ctx, tt.user); err != nil || len(e) != tt.wantEnrols {
					t.Errorf("Enrolments = %v, %v; want %d", e, err, tt.wantEnrols)
				}
			})
		}
		for id, want := range map[int64]string{sending: "sending", pending: "failed", others: "pending"} {
			if got, _ := outboxRow(t, s, id); got != want {
				t.Errorf("outbox item %d state = %s, want %s", id, got, want)
			}
		}
	})
}

func ptr(s string) *string { return &s }

func TestStart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		steps := []struct {
			name        string
			in          Person
			source      string
			next        time.Time
			before      func(t *testing.T)
			want        bool
			wantErr     error
			wantNext    time.Time
			wantSources []string
		}{
			{name: "new person", in: Person{UserID: "U1", TZ: "Asia/Tokyo"}, source: "self", next: t0.Add(time.Hour),
				want: true, wantNext: t0.Add(time.Hour), wantSources: []string{"self"}},
			{name: "again keeps the next occurrence", in: Person{UserID: "U1"}, source: "self", next: t0.Add(2 * time.Hour),
				want: false, wantNext: t0.Add(time.Hour), wantSources: []string{"self"}},
			{name: "a channel source is new", in: Person{UserID: "U1"}, source: "channel:C1", next: t0.Add(3 * time.Hour),
				want: true, wantNext: t0.Add(time.Hour), wantSources: []string{"channel:C1", "self"}},
			{name: "bad source", in: Person{UserID: "U1"}, source: "everyone", next: t0.Add(4 * time.Hour),
				wantErr: errAny, wantNext: t0.Add(time.Hour), wantSources: []string{"channel:C1", "self"}},
			{name: "after stop, scheduled again", in: Person{UserID: "U1"}, source: "self", next: t0.Add(5 * time.Hour),
				before: func(t *testing.T) {
					if _, err := s.Stop(ctx, "U1"); err != nil {
						t.Fatal(err)
					}
				},
				want: true, wantNext: t0.Add(5 * time.Hour), wantSources: []string{"self"}},
			{name: "deleted in Slack, back", in: Person{UserID: "U1"}, source: "self", next: t0.Add(6 * time.Hour),
				before: func(t *testing.T) {
					if err := s.MarkPersonDeleted(ctx, "U1"); err != nil {
						t.Fatal(err)
					}
				},
				want: true, wantNext: t0.Add(6 * time.Hour), wantSources: []string{"self"}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Advance(time.Minute)
				if st.before != nil {
					st.before(t)
				}
				got, err := s.Start(ctx, st.in, st.source, st.next)
				checkErr(t, "Start", err, st.wantErr)
				if got != st.want {
					t.Errorf("Start = %v, want %v", got, st.want)
				}
				p := mustPerson(t, s, "U1")
				if timeOrNil(p.NextDueAt) != timeOrNil(&st.wantNext) || p.Deleted || p.TZ != "Asia/Tokyo" {
					t.Errorf("person = next %s deleted %v tz %s, want next %s, not deleted, Asia/Tokyo",
						timeOrNil(p.NextDueAt), p.Deleted, p.TZ, st.wantNext)
				}
				sources, err := s.Enrolments(ctx, "U1")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(sources, st.wantSources) {
					t.Errorf("Enrolments = %v, want %v", sources, st.wantSources)
				}
			})
		}
	})
}

func TestStop(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		if _, err := s.Enrol(ctx, "U1", "channel:C1"); err != nil {
			t.Fatal(err)
		}
		startPerson(t, s, "U2", "D2", t0)
		setPersonState(t, s, "U1", 3, true)
		queue := func(user string, kind Kind) int64 {
			t.Helper()
			id, err := s.Enqueue(ctx, OutboxMessage{UserID: user, Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		sent := queue("U1", KindPrompt)
		sendAll(t, s)
		items := map[string]int64{
			"prompt":           queue("U1", KindPrompt),
			"wellbeing":        queue("U1", KindWellbeing),
			"reminder":         queue("U1", KindReminder),
			"continue":         queue("U1", KindContinue),
			"message":          queue("U1", "message"),
			"sent prompt":      sent,
			"another's prompt": queue("U2", KindPrompt),
		}

		got, err := s.Stop(ctx, "U1")
		if err != nil || !got {
			t.Fatalf("Stop = %v, %v; want true", got, err)
		}
		tests := []struct {
			item      string
			wantState string
			wantError string
		}{
			{item: "prompt", wantState: "failed", wantError: "stopped"},
			{item: "wellbeing", wantState: "failed", wantError: "stopped"},
			{item: "reminder", wantState: "failed", wantError: "stopped"},
			{item: "continue", wantState: "failed", wantError: "stopped"},
			{item: "message", wantState: "pending"},
			{item: "sent prompt", wantState: "sent"},
			{item: "another's prompt", wantState: "pending"},
		}
		for _, tt := range tests {
			t.Run(tt.item, func(t *testing.T) {
				state, lastErr := outboxRow(t, s, items[tt.item])
				if state != tt.wantState || lastErr != tt.wantError {
					t.Errorf("item = %s %q, want %s %q", state, lastErr, tt.wantState, tt.wantError)
				}
			})
		}
		p := mustPerson(t, s, "U1")
		if p.NextDueAt != nil || p.UnansweredStreak != 0 || p.AskedToContinue {
			t.Errorf("person = next %s streak %d asked %v, want unscheduled, 0, false", timeOrNil(p.NextDueAt), p.UnansweredStreak, p.AskedToContinue)
		}
		if e, err := s.Enrolments(ctx, "U1"); err != nil || len(e) != 0 {
			t.Errorf("Enrolments = %v, %v; want none", e, err)
		}
		if p := mustPerson(t, s, "U2"); p.NextDueAt == nil {
			t.Error("another person was unscheduled")
		}
		for _, tt := range []struct {
			name string
			user string
		}{{"twice", "U1"}, {"unknown person", "U9"}} {
			if got, err := s.Stop(ctx, tt.user); err != nil || got {
				t.Errorf("Stop %s = %v, %v; want false, nil", tt.name, got, err)
			}
		}
	})
}

func TestSetSchedule(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		addPerson(t, s, "U2") // never started: no next occurrence
		steps := []struct {
			name     string
			user     string
			slot     string
			next     time.Time
			wantErr  error
			wantSlot string
			wantNext *time.Time
		}{
			{name: "personal slot", user: "U1", slot: "tue 10:30", next: t0.Add(26 * time.Hour),
				wantSlot: "tue 10:30", wantNext: timePtrOf(t0.Add(26 * time.Hour))},
			{name: "back to the default", user: "U1", next: t0.Add(3 * time.Hour),
				wantNext: timePtrOf(t0.Add(3 * time.Hour))},
			{name: "unscheduled stays unscheduled", user: "U2", slot: "wed 09:00", next: t0.Add(time.Hour),
				wantSlot: "wed 09:00"},
			{name: "unknown person", user: "U9", slot: "wed 09:00", next: t0, wantErr: ErrNotFound},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Advance(time.Minute)
				err := s.SetSchedule(ctx, st.user, st.slot, st.next)
				checkErr(t, "SetSchedule", err, st.wantErr)
				if st.wantErr != nil {
					return
				}
				p := mustPerson(t, s, st.user)
				if p.Slot != st.wantSlot || timeOrNil(p.NextDueAt) != timeOrNil(st.wantNext) || !p.UpdatedAt.Equal(clock.Now()) {
					t.Errorf("person = slot %q next %s updated %s, want %q %s %s",
						p.Slot, timeOrNil(p.NextDueAt), p.UpdatedAt, st.wantSlot, timeOrNil(st.wantNext), clock.Now())
				}
				var raw sql.NullString
				if err := s.read.QueryRow(`SELECT slot FROM people WHERE user_id = ?`, st.user).Scan(&raw); err != nil {
					t.Fatal(err)
				}
				if raw.Valid != (st.wantSlot != "") {
					t.Errorf("slot stored as %+v, want NULL only for the default", raw)
				}
			})
		}
	})
}

func TestSetPause(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		until := t0.Add(2 * week)
		steps := []struct {
			name       string
			user       string
			until      *time.Time
			streakWas  int
			wantErr    error
			wantPaused *time.Time
		}{
			{name: "pause", user: "U1", until: &until, streakWas: 4, wantPaused: &until},
			{name: "resume", user: "U1", streakWas: 2},
			{name: "unknown person", user: "U9", until: &until, wantErr: ErrNotFound},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				setPersonState(t, s, "U1", st.streakWas, st.streakWas > 0)
				err := s.SetPause(ctx, st.user, st.until)
				checkErr(t, "SetPause", err, st.wantErr)
				if st.wantErr != nil {
					return
				}
				p := mustPerson(t, s, st.user)
				if timeOrNil(p.PausedUntil) != timeOrNil(st.wantPaused) || p.UnansweredStreak != 0 || p.AskedToContinue {
					t.Errorf("person = paused %s streak %d asked %v, want paused %s, 0, false",
						timeOrNil(p.PausedUntil), p.UnansweredStreak, p.AskedToContinue, timeOrNil(st.wantPaused))
				}
				if p.NextDueAt == nil || !p.NextDueAt.Equal(t0) {
					t.Errorf("next_due_at = %s, want %s unchanged", timeOrNil(p.NextDueAt), t0)
				}
			})
		}
	})
}
