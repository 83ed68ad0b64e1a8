package slackapp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// responses records what is posted to response_urls.
type responses struct {
	mu   sync.Mutex
	got  []responseBody
	srv  *httptest.Server
	wake chan struct{}
}

type responseBody struct {
	Path         string
	Text         string          `json:"text"`
	ResponseType string          `json:"response_type"`
	Blocks       json.RawMessage `json:"blocks"`
}

func newResponses(t *testing.T) *responses {
	r := &responses{wake: make(chan struct{}, 1)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b responseBody
		_ = json.NewDecoder(req.Body).Decode(&b)
		b.Path = req.URL.Path
		r.mu.Lock()
		r.got = append(r.got, b)
		r.mu.Unlock()
		select {
		case r.wake <- struct{}{}:
		default:
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *responses) url(id string) string { return r.srv.URL + "/response/" + id }

func (r *responses) all() []responseBody {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]responseBody(nil), r.got...)
}

// pending returns the outbox items waiting to be sent, claiming them (the relay is not running).
func pending(t *testing.T, s *db.Store) []db.OutboxItem {
	t.Helper()
	items, err := s.ClaimOutbox(context.Background(), time.Minute, 100)
	if err != nil {
		t.Fatalf("claim outbox: %v", err)
	}
	return items
}

// outboxText renders a claimed item's message text.
func outboxText(t *testing.T, a *App, it db.OutboxItem) string {
	t.Helper()
	m, err := a.render(context.Background(), it)
	if err != nil {
		t.Fatalf("render outbox item %d: %v", it.ID, err)
	}
	return m.Text
}

// withTestFallbacks gives a bare App stand-ins for the product's words (which live in the help
// feature), each naming the route that answered, and a help verb.
func withTestFallbacks(a *App) {
	a.SetFallbacks(Fallbacks{
		Unknown: func(ctx context.Context, req CommandRequest) error {
			return req.Reply(ctx, Message{Text: "unknown verb " + req.Command.Verb})
		},
		Unreadable: func(ctx context.Context, req CommandRequest, e *CommandError) error {
			return req.Reply(ctx, Message{Text: "couldn't read that command: " + e.Problem + " [" + e.Verb + "]"})
		},
		DM:      func(ctx context.Context, dm DM) error { return dm.Reply(ctx, Message{Text: "DM help"}) },
		DMVerbs: []string{"help", "assess", "summary", "pause", "stop", "start"},
	})
	a.HandleCommand("help", func(ctx context.Context, req CommandRequest) error {
		return req.Reply(ctx, Message{Text: "usage"})
	})
}
