package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fillOutbox queues n posts for n/2 people in bulk (two statements, whatever n): each person's
// prompt, then their wellbeing check, as a fan-out leaves them.
func fillOutbox(tb testing.TB, s *Store, n int) {
	tb.Helper()
	ctx := context.Background()
	at := millis(t0)
	if _, err := s.write.ExecContext(ctx, `
		WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO people (user_id, tz, dm_channel_id, next_due_at, created_at, updated_at)
		SELECT 'U' || i, 'UTC', 'D' || i, NULL, ?, ? FROM seq`, n/2, at, at); err != nil {
		tb.Fatalf("fill people: %v", err)
	}
	if _, err := s.write.ExecContext(ctx, `
		WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO outbox (user_id, kind, payload, state, attempts, available_at, due_at, created_at)
		SELECT 'U' || i, k.kind, '{}', 'pending', 0, ?, ?, CAST(? AS BIGINT) + i
		FROM seq, (SELECT 0 AS o, 'prompt' AS kind UNION ALL SELECT 1, 'wellbeing') k
		ORDER BY i, k.o`, n/2, at, at, at); err != nil {
		tb.Fatalf("fill outbox: %v", err)
	}
	if s.pg {
		if _, err := s.write.ExecContext(ctx, `ANALYZE`); err != nil {
			tb.Fatalf("analyze: %v", err)
		}
	}
}

// BenchmarkClaimOutbox claims 8 posts, as one relay round does, from an outbox holding 100 and
// 100,000 queued posts, on each engine; the claimed posts are put back (outside the timing), so
// every claim sees the same queue. A claim should cost the same at either size.
// PostgreSQL needs REFLECT_TEST_POSTGRES_URL.
func BenchmarkClaimOutbox(b *testing.B) {
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		for _, queued := range []int{100, 100_000} {
			b.Run(fmt.Sprintf("%s/queued=%d", e.name, queued), func(b *testing.B) {
				ctx := context.Background()
				s, _, _ := e.newStore(b)
				fillOutbox(b, s, queued)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					items, err := s.ClaimOutbox(ctx, time.Minute, 8)
					if err != nil || len(items) != 8 {
						b.Fatalf("ClaimOutbox = %d items, %v; want 8", len(items), err)
					}
					b.StopTimer()
					for _, it := range items {
						if _, err := s.write.ExecContext(ctx, `
							UPDATE outbox SET state = 'pending', lease_until = NULL WHERE id = ?`, it.ID); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
				}
			})
		}
	}
}

// TestClaimOutboxPlan checks that a claim reads the queue in the order of its index and stops at
// its limit: no sort of the queued posts (SQLite's "USE TEMP B-TREE FOR ORDER BY", a PostgreSQL
// Sort node) and no scan of every claimable post, so it costs the same at any queue length
// (BenchmarkClaimOutbox measures it).
func TestClaimOutboxPlan(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		fillOutbox(t, s, 20_000)
		explain := "EXPLAIN QUERY PLAN "
		if s.pg {
			explain = "EXPLAIN "
		}
		rows, err := s.write.QueryContext(ctx, explain+claimOutboxQuery(s.pg),
			millis(t0.Add(time.Minute)), millis(t0), 8, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var plan []string
		for rows.Next() {
			var line string
			dest := make([]any, len(cols))
			for i := range dest {
				dest[i] = new(any)
			}
			dest[len(dest)-1] = &line // SQLite: id, parent, notused, detail; PostgreSQL: one line
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		bad := []string{"TEMP B-TREE", "MULTI-INDEX OR", "SCAN outbox", "outbox_state_available"}
		if s.pg {
			bad = []string{"Sort", "Seq Scan on outbox", "outbox_state_available"}
		}
		for _, b := range bad {
			if strings.Contains(text, b) {
				t.Errorf("claim plan has %q:\n%s", b, text)
			}
		}
		if !strings.Contains(text, "outbox_claim") {
			t.Errorf("claim plan does not read outbox_claim:\n%s", text)
		}
		t.Logf("plan:\n%s", text)
	})
}

// Migration 0010 puts the replies already queued in the first lane, so after the upgrade they
// still go before the scheduled posts queued ahead of them.
func TestMigrationLanesQueuedReplies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		url := e.url(t)
		pool := migratedBefore(t, e, url, 10)
		if _, err := pool.ExecContext(ctx, `INSERT INTO people (user_id, team_id, tz, created_at, updated_at) VALUES ('U1', 'T1', 'UTC', 0, 0)`); err != nil {
			t.Fatal(err)
		}
		for id, kind := range map[int64]string{1: "prompt", 2: "help", 3: "message", 4: "apology", 5: "summary"} {
			if _, err := pool.ExecContext(ctx, `
				INSERT INTO outbox (id, user_id, kind, payload, state, attempts, available_at, due_at, created_at)
				VALUES (?, 'U1', ?, '{}', 'pending', 0, 0, 0, ?)`, id, kind, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := pool.Close(); err != nil {
			t.Fatal(err)
		}
		s := openAt(t, url, WithNow(newClock().Now))
		items, err := s.ClaimOutbox(ctx, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []Kind
		for _, it := range items {
			got = append(got, it.Kind)
		}
		// The three replies go at once (oldest first); of the rest, only the person's first post.
		if want := []Kind{KindPrompt, KindHelp, KindMessage, KindApology}; !slices.Equal(got, want) {
			t.Errorf("claimed after the upgrade %v, want %v", got, want)
		}
		var lanes []int
		rows, err := s.read.QueryContext(ctx, `SELECT lane FROM outbox ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var l int
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lanes = append(lanes, l)
		}
		if want := []int{1, 0, 0, 0, 1}; !slices.Equal(lanes, want) {
			t.Errorf("lanes after the upgrade %v, want %v", lanes, want)
		}
	})
}
