package slackapp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
)

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
