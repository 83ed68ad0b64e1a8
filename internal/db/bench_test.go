package db

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// Run with: go test -run '^$' -bench . -benchtime 2s ./internal/db/
// The ops/s metric is a whole round (enqueue, claim, complete) or one event claim.

func BenchmarkEnqueueClaimComplete(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
	addPerson(b, s, "U1")
	payload := []byte(`{"prompt":"direction-big-picture","blocks":[]}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt", Payload: payload}); err != nil {
			b.Fatal(err)
		}
		items, err := s.ClaimOutbox(ctx, time.Minute, 1)
		if err != nil || len(items) != 1 {
			b.Fatalf("ClaimOutbox = %d items, %v; want 1", len(items), err)
		}
		if err := s.CompleteOutbox(ctx, items[0].ID, "D1", "1700000000.000100"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkClaimEventParallel(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("Ev%d", next.Add(1))
			ok, err := s.ClaimEvent(ctx, id)
			if err != nil || !ok {
				b.Errorf("ClaimEvent(%s) = %v, %v; want true", id, ok, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkClaimBacklog claims and completes batches of 8 from a fan-out's backlog (2,000 people
// with a prompt and a wellbeing check each), on each engine: the cost of one relay round while
// the outbox is deep. PostgreSQL needs REFLECT_TEST_POSTGRES_URL.
func BenchmarkClaimBacklog(b *testing.B) {
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			s, _, _ := e.newStore(b)
			fill := func() {
				for i := range 2000 {
					u := fmt.Sprintf("U%04d", i)
					addPerson(b, s, u)
					for _, k := range []Kind{KindPrompt, KindWellbeing} {
						if _, err := s.Enqueue(ctx, OutboxMessage{UserID: u, Kind: k}); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			fill()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				items, err := s.ClaimOutbox(ctx, time.Minute, 8)
				if err != nil {
					b.Fatal(err)
				}
				if len(items) == 0 {
					b.StopTimer()
					if _, err := s.write.ExecContext(ctx, `DELETE FROM outbox`); err != nil {
						b.Fatal(err)
					}
					fill()
					b.StartTimer()
					continue
				}
				for _, it := range items {
					if err := s.CompleteOutbox(ctx, it.ID, "D-"+it.UserID, "1.1"); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rounds/s")
		})
	}
}

// fillDue starts people due at t0, each with a few weeks of history (four scheduled deliveries,
// one answered on-demand prompt).
func fillDue(b *testing.B, s *Store, people int) {
	ctx := context.Background()
	for i := range people {
		u := fmt.Sprintf("U%04d", i)
		if _, err := s.Start(ctx, Person{UserID: u, TeamID: "T1", TZ: "UTC"}, "self", t0); err != nil {
			b.Fatal(err)
		}
		for w := range 4 {
			insertDelivery(b, s, u, t0.Add(-time.Duration(w+1)*7*24*time.Hour), "scheduled")
		}
		id := insertDelivery(b, s, u, t0.Add(-time.Hour), "on_demand")
		if _, err := s.write.ExecContext(ctx, `
			INSERT INTO answers (user_id, delivery_id, prompt_id, lean, weight, explanation, source, answered_at)
			VALUES (?, ?, 'direction-big-picture', 0, 1, '', 'button', ?)`, u, id, millis(t0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDuePeople reads one batch of 1,000 due people, each with a few weeks of history (four
// scheduled deliveries, one answered on-demand prompt), on each engine: the due loop's read.
// PostgreSQL needs REFLECT_TEST_POSTGRES_URL.
func BenchmarkDuePeople(b *testing.B) {
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			s, _, _ := e.newStore(b)
			const people = 1000
			fillDue(b, s, people)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				due, err := s.DuePeople(ctx, t0, people)
				if err != nil || len(due) != people {
					b.Fatalf("DuePeople = %d people, %v; want %d", len(due), err, people)
				}
			}
		})
	}
}

// BenchmarkClaimDue claims one batch of 1,000 due people (as fillDue makes them), the due loop's
// read since replicas share the due people; the claims are ended outside the timing, so every
// round claims the same batch. PostgreSQL needs REFLECT_TEST_POSTGRES_URL.
func BenchmarkClaimDue(b *testing.B) {
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			s, _, _ := e.newStore(b)
			const people = 1000
			fillDue(b, s, people)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				due, err := s.ClaimDue(ctx, t0, people, time.Minute)
				if err != nil || len(due) != people {
					b.Fatalf("ClaimDue = %d people, %v; want %d", len(due), err, people)
				}
				b.StopTimer()
				if _, err := s.write.ExecContext(ctx, `UPDATE people SET due_claim = NULL, due_claim_until = NULL`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
