package db

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// dueIDs returns the user ids of due people, in order.
func dueIDs(due []DuePerson) []string {
	ids := make([]string, len(due))
	for i, d := range due {
		ids[i] = d.UserID
	}
	return ids
}

// Two claimers on one store (two replicas) get disjoint sets of the people due, earliest first;
// a claim that lapses (its replica died) is claimed again; applying a plan ends its claim, and so
// does a plan dropped because the person changed meanwhile.
func TestClaimDue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, url := e.newStore(t)
		other := openAt(t, url, WithNow(newClock().Now))
		for i, u := range []string{"U1", "U2", "U3", "U4", "U5"} {
			startPerson(t, s, u, "D"+u, t0.Add(time.Duration(i)*time.Minute))
		}
		startPerson(t, s, "ULATER", "DL", t0.Add(time.Hour)) // not due
		now := t0.Add(10 * time.Minute)
		const lease = time.Minute
		claim := func(st *Store, at time.Time, limit int) []DuePerson {
			t.Helper()
			due, err := st.ClaimDue(ctx, at, limit, lease)
			if err != nil {
				t.Fatalf("ClaimDue: %v", err)
			}
			for _, d := range due {
				if d.Claim == 0 {
					t.Errorf("%s claimed without a token", d.UserID)
				}
			}
			return due
		}
		a := claim(s, now, 3)
		b := claim(other, now, 10)
		if got := dueIDs(a); !slices.Equal(got, []string{"U1", "U2", "U3"}) {
			t.Errorf("first claim = %v, want U1 U2 U3", got)
		}
		if got := dueIDs(b); !slices.Equal(got, []string{"U4", "U5"}) {
			t.Errorf("second claim = %v, want U4 U5 (the ones the first did not take)", got)
		}
		if c := claim(s, now.Add(lease/2), 10); len(c) != 0 {
			t.Errorf("claim while every due person is held = %v, want none", dueIDs(c))
		}
		// DuePeople still reads everyone due, claimed or not.
		if all, err := s.DuePeople(ctx, now, 10); err != nil || len(all) != 5 {
			t.Errorf("DuePeople = %v, %v; want the 5 due", dueIDs(all), err)
		}
		// The first claimer plans U1 and applies it; U2's plan is dropped (it was moved on
		// meanwhile); it dies holding U3.
		if err := s.SetSchedule(ctx, "U2", "", t0.Add(2*time.Minute+time.Second)); err != nil {
			t.Fatal(err)
		}
		var plans []DuePlan
		for _, d := range a[:2] {
			plans = append(plans, DuePlan{UserID: d.UserID, WasDue: *d.NextDueAt, NextDue: now.Add(week), Expire: *d.NextDueAt, Claim: d.Claim})
		}
		if n, err := s.ApplyDue(ctx, plans); err != nil || n != 1 {
			t.Fatalf("ApplyDue = %d, %v; want 1 (U2 changed meanwhile)", n, err)
		}
		// U2's claim ended with its dropped plan: it is claimed again at once, as it is now.
		c := claim(other, now.Add(lease/2), 10)
		if got := dueIDs(c); !slices.Equal(got, []string{"U2"}) {
			t.Fatalf("claim after the plans = %v, want U2 alone", got)
		}
		if want := t0.Add(2*time.Minute + time.Second); !c[0].NextDueAt.Equal(want) {
			t.Errorf("U2 claimed with next due %s, want %s", c[0].NextDueAt, want)
		}
		// Once the leases lapse, what was held and not applied is claimed again; U1 is done.
		d := claim(s, now.Add(lease/2+lease), 10)
		if got := dueIDs(d); !slices.Equal(got, []string{"U3", "U2", "U4", "U5"}) {
			t.Errorf("claim after the leases lapsed = %v, want U3 U2 U4 U5 (U2 is now due after U3)", got)
		}
		var claimed any
		if err := s.read.QueryRowContext(ctx, `SELECT due_claim FROM people WHERE user_id = 'U1'`).Scan(&claimed); err != nil || claimed != nil {
			t.Errorf("U1's claim after its plan applied = %v, %v; want NULL", claimed, err)
		}
		if _, err := s.ClaimDue(ctx, now, 0, lease); err == nil {
			t.Error("ClaimDue with limit 0: no error")
		}
	})
}

// Claimers on two stores racing in batches claim every due person exactly once between them:
// on PostgreSQL their claims run at the same time and skip each other's rows.
func TestClaimDueConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, url := e.newStore(t)
		other := openAt(t, url, WithNow(newClock().Now))
		const people = 300
		for i := range people {
			startPerson(t, s, fmt.Sprintf("U%03d", i), "", t0)
		}
		var (
			mu      sync.Mutex
			claimed = map[string]int{}
			wg      sync.WaitGroup
			start   = make(chan struct{})
		)
		for w := range 6 {
			st := s
			if w%2 == 1 {
				st = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for {
					due, err := st.ClaimDue(ctx, t0, 7, time.Minute)
					if err != nil {
						t.Errorf("ClaimDue: %v", err)
						return
					}
					if len(due) == 0 {
						return
					}
					mu.Lock()
					for _, d := range due {
						claimed[d.UserID]++
					}
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(claimed) != people {
			t.Errorf("%d people claimed, want %d", len(claimed), people)
		}
		for u, n := range claimed {
			if n != 1 {
				t.Errorf("%s claimed %d times, want once", u, n)
			}
		}
	})
}

// TestNextDueAfter checks the earliest occurrence later than now, which the due loop sleeps
// until: people due at or before now and people no longer scheduled do not count.
func TestNextDueAfter(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if _, ok, err := s.NextDueAfter(ctx, t0); err != nil || ok {
			t.Fatalf("empty store: got ok %v, %v; want none", ok, err)
		}
		startPerson(t, s, "UPAST", "DP", t0.Add(-time.Hour))
		startPerson(t, s, "UNOW", "DN", t0)
		startPerson(t, s, "USOON", "DS", t0.Add(90*time.Second))
		startPerson(t, s, "ULATER", "DL", t0.Add(time.Hour))
		startPerson(t, s, "UGONE", "DG", t0.Add(time.Second))
		if _, err := s.Stop(ctx, "UGONE"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			now    time.Time
			want   time.Time
			wantOK bool
		}{
			{now: t0, want: t0.Add(90 * time.Second), wantOK: true},
			{now: t0.Add(-2 * time.Hour), want: t0.Add(-time.Hour), wantOK: true},
			{now: t0.Add(90 * time.Second), want: t0.Add(time.Hour), wantOK: true},
			{now: t0.Add(time.Hour)},
		}
		for _, tt := range tests {
			got, ok, err := s.NextDueAfter(ctx, tt.now)
			if err != nil || ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("NextDueAfter(%s) = %s, %v, %v; want %s, %v", tt.now, got, ok, err, tt.want, tt.wantOK)
			}
		}
	})
}
