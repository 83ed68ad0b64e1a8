package db

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A job's period is run by one claimer at a time and once: a second claim gets nothing while the
// first holds it and after it finished; a lapsed claim (its replica died) is taken over and the
// old holder can no longer finish; a released claim (the run failed) is taken at once.
func TestClaimJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, url := e.newStore(t)
		other := openAt(t, url, WithNow(newClock().Now))
		const lease = time.Minute
		claim := func(st *Store, period string, at time.Time) int64 {
			t.Helper()
			tok, err := st.ClaimJob(ctx, "retention", period, at, lease)
			if err != nil {
				t.Fatalf("ClaimJob: %v", err)
			}
			return tok
		}
		a := claim(s, "p1", t0)
		if a == 0 {
			t.Fatal("first claim of p1: not taken")
		}
		if b := claim(other, "p1", t0.Add(lease/2)); b != 0 {
			t.Error("p1 claimed twice while its lease holds")
		}
		if tok, err := other.ClaimJob(ctx, "monthly", "p1", t0, lease); err != nil || tok == 0 {
			t.Errorf("another job's claim of p1 = %d, %v; want taken", tok, err)
		}
		if err := s.FinishJob(ctx, "retention", "p1", a, t0.Add(time.Second)); err != nil {
			t.Fatalf("FinishJob: %v", err)
		}
		if b := claim(other, "p1", t0.Add(2*lease)); b != 0 {
			t.Error("p1 claimed again after it finished")
		}
		// A holder that dies: its lease lapses and the other takes the run over; the first can
		// then finish nothing.
		dead := claim(s, "p2", t0)
		if b := claim(other, "p2", t0.Add(lease-time.Millisecond)); b != 0 {
			t.Error("p2 taken over before its lease lapsed")
		}
		over := claim(other, "p2", t0.Add(lease))
		if over == 0 {
			t.Fatal("p2 not taken over once its lease lapsed")
		}
		if err := s.FinishJob(ctx, "retention", "p2", dead, t0.Add(lease)); !errors.Is(err, ErrWrongState) {
			t.Errorf("FinishJob by the old holder = %v, want ErrWrongState", err)
		}
		// A failed run is released and taken at once.
		if err := other.ReleaseJob(ctx, "retention", "p2", over); err != nil {
			t.Fatal(err)
		}
		if again := claim(s, "p2", t0.Add(lease)); again == 0 {
			t.Error("p2 not taken after its claim was released")
		}
		if _, err := s.ClaimJob(ctx, "", "p3", t0, lease); err == nil {
			t.Error("ClaimJob with no name: no error")
		}
	})
}

// Claimers on two stores racing for one period: exactly one gets it.
func TestClaimJobConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, url := e.newStore(t)
		other := openAt(t, url, WithNow(newClock().Now))
		for round := range 5 {
			period := string(rune('a' + round))
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				taken int
				start = make(chan struct{})
			)
			for w := range 8 {
				st := s
				if w%2 == 1 {
					st = other
				}
				wg.Go(func() {
					<-start
					tok, err := st.ClaimJob(ctx, "monthly", period, t0, time.Minute)
					if err != nil {
						t.Errorf("ClaimJob: %v", err)
					}
					if tok != 0 {
						mu.Lock()
						taken++
						mu.Unlock()
					}
				})
			}
			close(start)
			wg.Wait()
			if taken != 1 {
				t.Errorf("period %s taken %d times, want once", period, taken)
			}
		}
	})
}
