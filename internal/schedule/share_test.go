package schedule

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/pgtest"
)

// replicaStores opens two stores on one database, as two replicas do: a SQLite file, or a
// PostgreSQL schema (skipped without REFLECT_TEST_POSTGRES_URL).
func replicaStores(t *testing.T, engine string, now func() time.Time) (*db.Store, *db.Store) {
	t.Helper()
	url := filepath.Join(t.TempDir(), "reflect.db")
	if engine == "postgres" {
		url = pgtest.Schema(t)
	}
	var stores [2]*db.Store
	for i := range stores {
		s, err := db.Open(context.Background(), url, db.WithNow(now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	return stores[0], stores[1]
}

// countingStore is a replica's store that counts the plans its loop applies, and can run
// something (another replica's tick) before its first ApplyDue.
type countingStore struct {
	*db.Store
	mu      *sync.Mutex
	planned map[string]int
	before  func()
}

func (c *countingStore) ApplyDue(ctx context.Context, plans []db.DuePlan) (int, error) {
	if f := c.before; f != nil {
		c.before = nil
		f()
	}
	c.mu.Lock()
	for _, p := range plans {
		c.planned[p.UserID]++
	}
	c.mu.Unlock()
	return c.Store.ApplyDue(ctx, plans)
}

// Two replicas' due loops on one database plan each due person once: the second ticks while the
// first holds a claimed batch it has not applied yet, and plans only the people the first did
// not claim. Without claims it would plan the first's batch too, and one of the two plans of each
// of those people would be lost.
func TestLoopsShareDuePeople(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			now := at(t, "2026-11-30T09:00:30Z")
			clock := func() time.Time { return now }
			s1, s2 := replicaStores(t, engine, clock)
			const people = 10
			for i := range people {
				p := db.Person{UserID: fmt.Sprintf("U%02d", i), TeamID: "T1", TZ: "UTC", DMChannelID: fmt.Sprintf("D%02d", i)}
				if _, err := s1.Start(ctx, p, "self", now.Add(-time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			pl := Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: builtin(t)}
			var mu sync.Mutex
			planned := map[string]int{}
			first := &countingStore{Store: s1, mu: &mu, planned: planned}
			second := &countingStore{Store: s2, mu: &mu, planned: planned}
			l1, l2 := NewLoop(first, pl, clock, nil), NewLoop(second, pl, clock, nil)
			l1.Batch, l2.Batch = 4, 4
			var secondHandled int
			first.before = func() {
				n, err := l2.Tick(ctx)
				if err != nil {
					t.Errorf("second replica's tick: %v", err)
				}
				secondHandled = n
			}
			n, err := l1.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n+secondHandled != people {
				t.Errorf("handled %d + %d, want %d in all", n, secondHandled, people)
			}
			if n == 0 || secondHandled == 0 {
				t.Errorf("handled %d and %d: want both replicas to share the work", n, secondHandled)
			}
			for i := range people {
				u := fmt.Sprintf("U%02d", i)
				if planned[u] != 1 {
					t.Errorf("%s planned %d times, want once", u, planned[u])
				}
			}
		})
	}
}

// Two replicas' loops on one database run a periodic job once per period between them; a run
// that fails is tried again on the next tick, by either; a replica that dies mid-run leaves a
// claim that lapses, and the other then runs the job for that period.
func TestLoopsShareJobs(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var (
				mu  sync.Mutex
				now = at(t, "2026-12-01T00:00:10Z")
			)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			s1, s2 := replicaStores(t, engine, clock)
			pl := Planner{Default: mustSpec(t, "0 9 * * MON"), Catalogue: builtin(t)}
			var runs []string
			fail := errors.New("job failed")
			var failNext bool
			job := func(name string) func(context.Context, time.Time) error {
				return func(_ context.Context, at time.Time) error {
					if failNext {
						failNext = false
						return fail
					}
					runs = append(runs, name+"@"+at.Format("15:04"))
					return nil
				}
			}
			l1, l2 := NewLoop(s1, pl, clock, nil), NewLoop(s2, pl, clock, nil)
			if l1.JobStore == nil {
				t.Fatal("NewLoop left JobStore unset for a db.Store")
			}
			l1.AddJob("retention", time.Hour, job("r1"))
			l2.AddJob("retention", time.Hour, job("r2"))
			tick := func(l *Loop) error {
				t.Helper()
				_, err := l.Tick(ctx)
				return err
			}
			for range 3 { // three ticks of each in the first hour: one run
				if err := tick(l1); err != nil {
					t.Fatal(err)
				}
				if err := tick(l2); err != nil {
					t.Fatal(err)
				}
				advance(15 * time.Second)
			}
			if want := []string{"r1@00:00"}; fmt.Sprint(runs) != fmt.Sprint(want) {
				t.Errorf("runs in the first hour = %v, want %v", runs, want)
			}
			// The next hour: the first replica's run fails; the second runs it on its tick.
			advance(time.Hour)
			failNext = true
			if err := tick(l1); !errors.Is(err, fail) {
				t.Errorf("tick with a failing job = %v, want its error", err)
			}
			if err := tick(l2); err != nil {
				t.Fatal(err)
			}
			if err := tick(l1); err != nil {
				t.Fatal(err)
			}
			if want := []string{"r1@00:00", "r2@01:00"}; fmt.Sprint(runs) != fmt.Sprint(want) {
				t.Errorf("runs after a failed one = %v, want %v", runs, want)
			}
			// The next hour: the first replica claims the run and dies before finishing it (a
			// claim made as its loop would, never finished).
			advance(time.Hour)
			period := clock().UTC().Truncate(time.Hour).Format(time.RFC3339)
			if tok, err := s1.ClaimJob(ctx, "retention", period, clock(), l1.JobLease); err != nil || tok == 0 {
				t.Fatalf("ClaimJob = %d, %v", tok, err)
			}
			if err := tick(l2); err != nil {
				t.Fatal(err)
			}
			if len(runs) != 2 {
				t.Errorf("runs while the dead replica's claim holds = %v, want none new", runs)
			}
			advance(l1.JobLease)
			if err := tick(l2); err != nil {
				t.Fatal(err)
			}
			if want := []string{"r1@00:00", "r2@01:00", "r2@02:10"}; fmt.Sprint(runs) != fmt.Sprint(want) {
				t.Errorf("runs after the claim lapsed = %v, want %v", runs, want)
			}
		})
	}
}
