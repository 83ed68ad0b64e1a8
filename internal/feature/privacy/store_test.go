package privacy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/pgtest"
)

// testDatabaseURL gives a test a fresh database: a SQLite file in a temp dir, or with
// REFLECT_TEST_ENGINE=postgres a schema of its own on REFLECT_TEST_POSTGRES_URL (.ci/run runs
// this package both ways, so every end-to-end test also passes on PostgreSQL).
func testDatabaseURL(t testing.TB) string {
	t.Helper()
	switch e := os.Getenv("REFLECT_TEST_ENGINE"); e {
	case "", "sqlite":
		return filepath.Join(t.TempDir(), "reflect.db")
	case "postgres":
		return pgtest.Schema(t)
	default:
		t.Fatalf("REFLECT_TEST_ENGINE=%q: want sqlite or postgres", e)
		return ""
	}
}

// newStore opens a real store (see testDatabaseURL).
func newStore(t *testing.T) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), testDatabaseURL(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// logBuffer collects log output safely across goroutines, so a test can check what was logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// assertNotLogged fails if any secret appears in the logs.
func assertNotLogged(t testing.TB, logs *logBuffer, secrets ...string) {
	t.Helper()
	out := logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("got %q in the logs, want it never logged", s)
		}
	}
}
