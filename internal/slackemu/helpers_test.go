package slackemu

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// newEmu starts an emulator closed at the end of the test, with Alice (an admin in Berlin) and
// Bob.
func newEmu(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	s.AddUser(User{ID: "UALICE", Name: "alice", RealName: "Alice A", TZ: "Europe/Berlin", IsAdmin: true})
	s.AddUser(User{ID: "UBOB", Name: "bob"})
	return s
}

func apiClient(s *Server, opts ...slack.Option) *slack.Client {
	opts = append([]slack.Option{slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.AppToken())}, opts...)
	return slack.New(s.BotToken(), opts...)
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
}

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

// app is a real slack-go Socket Mode client connected to the emulator; the test reads the
// requests it receives and decides whether to ack them.
type app struct {
	sm   *socketmode.Client
	api  *slack.Client
	reqs chan socketmode.Event
}

func startApp(t *testing.T, s *Server, opts ...socketmode.Option) *app {
	t.Helper()
	api := apiClient(s)
	a := &app{api: api, sm: socketmode.New(api, opts...), reqs: make(chan socketmode.Event, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-a.sm.Events:
				switch ev.Type {
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
					a.reqs <- ev
				case socketmode.EventTypeErrorBadMessage:
					// Every payload the emulator sends must parse with slack-go.
					t.Errorf("slack-go could not parse a message: %v", ev.Data.(*socketmode.ErrorBadMessage).Cause)
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return a
}

// next waits for the next request the app receives.
func (a *app) next(t *testing.T) socketmode.Event {
	t.Helper()
	select {
	case ev := <-a.reqs:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no request reached the app within 5s")
		return socketmode.Event{}
	}
}

// nextAcked waits for the next request and acks it without a payload.
func (a *app) nextAcked(t *testing.T) socketmode.Event {
	t.Helper()
	ev := a.next(t)
	if err := a.sm.Ack(*ev.Request); err != nil {
		t.Fatalf("ack: %v", err)
	}
	return ev
}

func waitFor(t *testing.T, s *Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// recordingT captures Errorf calls, to check WithT.
type recordingT struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, format)
}

func (r *recordingT) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

func doJSON(t *testing.T, req *http.Request, into any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

// messageEvent extracts the message event of an Events API request.
func messageEvent(t *testing.T, ev socketmode.Event) *slackevents.MessageEvent {
	t.Helper()
	api, ok := ev.Data.(slackevents.EventsAPIEvent)
	if !ok {
		t.Fatalf("got %s request, want an events_api one", ev.Type)
	}
	msg, ok := api.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("got inner event %T, want a message", api.InnerEvent.Data)
	}
	return msg
}
