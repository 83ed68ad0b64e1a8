// Package testkit holds the helpers that tests in several packages share: a store on the engine
// REFLECT_TEST_ENGINE chooses, a log buffer with a check that nothing secret was logged, and
// golden-file comparison with one -update flag. Only tests import it; it does not import the
// testing package itself but takes the small T interface that *testing.T and *testing.B satisfy.
package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/pgtest"
	"github.com/reflect-bot/reflect/internal/prompts"
)

// T is the part of a test (*testing.T, *testing.B, testing.TB) that this package uses.
type T interface {
	pgtest.T
	TempDir() string
}

// EngineVar names the variable that chooses the store engine of the tests that open their store
// with OpenStore or DatabaseURL: empty or "sqlite" for a SQLite file in a temp dir, "postgres"
// for a schema of its own on pgtest.EnvVar. .ci/run runs those packages both ways.
const EngineVar = "REFLECT_TEST_ENGINE"

// DatabaseURL gives a test a fresh database: a SQLite file in a temp dir, or with
// REFLECT_TEST_ENGINE=postgres a schema of its own on REFLECT_TEST_POSTGRES_URL.
func DatabaseURL(t T) string {
	t.Helper()
	switch e := os.Getenv(EngineVar); e {
	case "", "sqlite":
		return filepath.Join(t.TempDir(), "reflect.db")
	case "postgres":
		return pgtest.Schema(t)
	default:
		t.Fatalf("%s=%q: want sqlite or postgres", EngineVar, e)
		return ""
	}
}

// OpenStore opens a real store on a fresh database (see DatabaseURL), closed when the test ends.
func OpenStore(t T) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// LogBuffer collects log output safely across goroutines, so a test can check what was logged.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NewLogger logs everything, debug included, as text to w.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// AssertNotLogged fails if any non-empty secret appears in the logs.
func AssertNotLogged(t T, logs *LogBuffer, secrets ...string) {
	t.Helper()
	out := logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("got %q in the logs, want it never logged", s)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Golden compares v, encoded as indented JSON without HTML escaping (as Slack would receive a
// message), with testdata/name.golden.json; `go test -update` rewrites the file instead.
func Golden(t T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatalf("marshal %s: %v", name, err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update if the change is intended)\ngot:\n%s", name, path, got)
	}
}

// AssessmentValues answers every assessment item with the option leaning most toward pole
// ("leadership" or "management"); wellbeing and shared items take their first option. It is the
// state of the assessment modal's inputs, as a view submission carries it.
func AssessmentValues(cat *prompts.Catalogue, pole string) map[string]map[string]string {
	values := map[string]map[string]string{}
	for _, it := range cat.Assessment {
		best, bestLean := 0, -3
		for i, o := range it.Options {
			if o.Lean == nil {
				continue
			}
			l := *o.Lean
			if pole == "management" {
				l = -l
			}
			if l > bestLean {
				best, bestLean = i, l
			}
		}
		values[it.ID] = map[string]string{it.ID: strconv.Itoa(best)}
	}
	return values
}
