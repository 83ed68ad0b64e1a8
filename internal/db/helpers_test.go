package db

import (
	"context"
	"database/sql"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/reflect-bot/reflect/internal/pgtest"
)

// t0 is the tests' fixed starting instant.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openAt opens a store on path and closes it when the test ends.
func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newStore opens a fresh SQLite store in a temporary directory with a fake clock.
func newStore(t testing.TB) (*Store, *fakeClock, string) {
	t.Helper()
	return sqliteEngine.newStore(t)
}

// engine is a database the store's test suite runs on: every test that needs only the store's
// behaviour runs once per engine (forEachEngine).
type engine struct {
	name string
	// url gives a fresh, empty database for one test (a file, a PostgreSQL schema), or skips.
	url func(t testing.TB) string
}

var sqliteEngine = engine{name: "sqlite", url: func(t testing.TB) string {
	return filepath.Join(t.TempDir(), "reflect.db")
}}

var postgresEngine = engine{name: "postgres", url: func(t testing.TB) string {
	return pgtest.Schema(t)
}}

// newStore opens a fresh store on the engine with a fake clock, and returns its DATABASE_URL
// (for a test that reopens it).
func (e engine) newStore(t testing.TB) (*Store, *fakeClock, string) {
	t.Helper()
	clock := newClock()
	url := e.url(t)
	return openAt(t, url, WithNow(clock.Now)), clock, url
}

// forEachEngine runs fn once on SQLite and once on PostgreSQL, as subtests named after them.
func forEachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		t.Run(e.name, func(t *testing.T) { fn(t, e) })
	}
}

// addPerson inserts a person or fails the test.
func addPerson(t testing.TB, s *Store, userID string) {
	t.Helper()
	if err := s.UpsertPerson(context.Background(), Person{UserID: userID, TeamID: "T1", TZ: "Europe/Paris"}); err != nil {
		t.Fatalf("UpsertPerson(%s): %v", userID, err)
	}
}

// insertDelivery writes a delivery row directly: the store has no delivery method yet.
func insertDelivery(t testing.TB, s *Store, userID string, occurrence time.Time, kind DeliveryKind) int64 {
	t.Helper()
	var id int64
	err := s.write.QueryRowContext(context.Background(), `
		INSERT INTO deliveries (user_id, occurrence, kind, prompt_id, state, created_at)
		VALUES (?, ?, ?, 'direction-big-picture', 'pending', ?) RETURNING id`,
		userID, millis(occurrence), kind, millis(occurrence)).Scan(&id)
	if err != nil {
		t.Fatalf("insert delivery: %v", err)
	}
	return id
}

// deliveryRow reads what CompleteOutbox may change on a delivery.
func deliveryRow(t testing.TB, s *Store, id int64) (state, channelID, ts string) {
	t.Helper()
	err := s.read.QueryRowContext(context.Background(),
		`SELECT state, COALESCE(channel_id, ''), COALESCE(ts, '') FROM deliveries WHERE id = ?`, id).
		Scan(&state, &channelID, &ts)
	if err != nil {
		t.Fatalf("read delivery %d: %v", id, err)
	}
	return state, channelID, ts
}

// WithEraseWait (tests only) sets how long Forget waits for a long reader (a backup) to let the write-ahead log
// be checkpointed before it reports the erasure as pending (default defaultEraseWait).
func WithEraseWait(d time.Duration) Option {
	return func(s *Store) { s.eraseWait = d }
}

// migratedBefore opens a pool on the empty database at url (on engine e) and applies the
// migrations numbered below version, so a test can write data as an older release did and then
// check what the later migrations make of it. The caller closes the pool.
func migratedBefore(t *testing.T, e engine, url string, version int) *sql.DB {
	t.Helper()
	old := fstest.MapFS{}
	if err := fs.WalkDir(migrationFiles, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if v, _ := strconv.Atoi(path.Base(p)[:4]); v >= version {
			return nil // the schema as it was before version
		}
		b, err := fs.ReadFile(migrationFiles, p)
		old[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var pool *sql.DB
	var err error
	if e.name == "postgres" {
		pool, err = openPostgres(url)
	} else {
		pool, err = openPool(url + "?" + pragmas)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(context.Background(), pool, old, e.name == "postgres", func() time.Time { return t0 }); err != nil {
		t.Fatal(err)
	}
	return pool
}
