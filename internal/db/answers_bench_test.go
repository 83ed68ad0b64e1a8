package db

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// answerBenchPeople is how many people the benchmark's deliveries belong to.
const answerBenchPeople = 1000

// BenchmarkRecordAnswer records one answer per op with 1, 4 and 16 goroutines writing at once,
// each answer to a delivery of its own created beforehand (a prompt with a wellbeing check,
// answered with its main prompt: the delivery closes, the reminder query runs, the streak
// resets), on a real SQLite file with the store's pragmas. It reports answers/s.
//
//	go test -run '^$' -bench RecordAnswer -benchtime 20000x ./internal/db/
func BenchmarkRecordAnswer(b *testing.B) {
	for _, writers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			ctx := context.Background()
			s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
			ids := seedDeliveries(b, s, b.N)
			var next atomic.Int64
			opt := 1
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for range writers {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= len(ids) {
							return
						}
						err := s.RecordAnswer(ctx, Answer{
							UserID: benchPerson(i), DeliveryID: ids[i], PromptID: "direction-big-picture",
							OptionIndex: &opt, Lean: 0.5, Weight: 1, Explanation: "option 2", Source: "button",
						})
						if err != nil {
							b.Errorf("RecordAnswer(%d): %v", ids[i], err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
		})
	}
}

func benchPerson(i int) string { return fmt.Sprintf("U%05d", i%answerBenchPeople) }

// seedDeliveries creates answerBenchPeople people and n sent deliveries spread over them, in one
// transaction, and returns the delivery ids in creation order.
func seedDeliveries(b *testing.B, s *Store, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	now := millis(t0)
	for p := range answerBenchPeople {
		if _, err := tx.ExecContext(ctx, `INSERT INTO people (user_id, team_id, tz, created_at, updated_at) VALUES (?, 'T1', 'UTC', ?, ?)`,
			benchPerson(p), now, now); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]int64, n)
	for i := range n {
		occurrence := t0.Add(time.Duration(i/answerBenchPeople) * 7 * 24 * time.Hour)
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO deliveries (user_id, occurrence, kind, prompt_id, wellbeing_prompt_id, state, channel_id, ts, created_at)
			VALUES (?, ?, 'scheduled', 'direction-big-picture', 'wellbeing-energy', 'sent', 'D1', ?, ?) RETURNING id`,
			benchPerson(i), millis(occurrence), fmt.Sprintf("1700000000.%06d", i), millis(occurrence)).Scan(&ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return ids
}
