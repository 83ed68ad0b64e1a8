package db

import (
	"context"
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

func TestAppState(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		steps := []struct {
			name   string
			set    *string
			want   string
			wantOK bool
		}{
			{name: "unset", want: "", wantOK: false},
			{name: "set", set: ptr("app_uninstalled"), want: "app_uninstalled", wantOK: true},
			{name: "overwrite", set: ptr("tokens_revoked"), want: "tokens_revoked", wantOK: true},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				if st.set != nil {
					if err := s.SetAppState(ctx, "sending_stopped", *st.set); err != nil {
						t.Fatal(err)
					}
				}
				got, ok, err := s.AppState(ctx, "sending_stopped")
				if err != nil {
					t.Fatal(err)
				}
				if got != st.want || ok != st.wantOK {
					t.Errorf("AppState = %q, %v; want %q, %v", got, ok, st.want, st.wantOK)
				}
			})
		}
		if err := s.SetAppState(ctx, "", "x"); err == nil {
			t.Error("SetAppState with an empty key succeeded, want an error")
		}
	})
}

func ptr(s string) *string { return &s }
