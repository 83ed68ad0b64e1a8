package slackapp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// fakeClock is an injected clock whose sleeps return at once and move it forward, recording
// how long each sleep was.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// scriptedSlack answers Web API calls from a per-method script; the last entry repeats.
type scriptedSlack struct {
	mu      sync.Mutex
	scripts map[string][]http.HandlerFunc
	calls   map[string]int
}

func newScriptedSlack(t *testing.T) (*scriptedSlack, *httptest.Server) {
	s := &scriptedSlack{scripts: map[string][]http.HandlerFunc{}, calls: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *scriptedSlack) on(method string, hs ...http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[method] = hs
}

func (s *scriptedSlack) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *scriptedSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/")
	s.mu.Lock()
	n := s.calls[method]
	s.calls[method]++
	hs := s.scripts[method]
	s.mu.Unlock()
	if len(hs) == 0 {
		http.Error(w, "no script", http.StatusNotFound)
		return
	}
	hs[min(n, len(hs)-1)](w, r)
}

func okJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func status(code int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
	}
}

// hang holds the reply until the client gives up. The body is read first: only then does the
// server notice a closed connection and cancel the request's context.
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func reset(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

const authOK = `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"B1"}`

func authTest(api *slack.Client) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := api.AuthTestContext(ctx)
		return err
	}
}

func newTestAPI(t *testing.T, clock *fakeClock, timeout time.Duration) (*scriptedSlack, *slack.Client, *webAPI) {
	t.Helper()
	script, srv := newScriptedSlack(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/"))
	return script, api, newWebAPI(clock.Now, clock.Sleep, timeout)
}

func TestCallWaitsRetryAfterAndRetries(t *testing.T) {
	clock := newFakeClock()
	script, api, web := newTestAPI(t, clock, time.Second)
	script.on("auth.test", status(http.StatusTooManyRequests, "3"), okJSON(authOK))

	if err := web.call(context.Background(), "auth.test", callOpts{}, authTest(api)); err != nil {
		t.Fatalf("call error = %v, want none", err)
	}
	if got, want := clock.Sleeps(), []time.Duration{3 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("got sleeps %v, want %v", got, want)
	}
	if got := script.count("auth.test"); got != 2 {
		t.Errorf("got %d calls, want 2", got)
	}
	st := web.stats()
	if st.RateLimited != 1 || st.RateLimitWait != 3*time.Second {
		t.Errorf("got stats %+v, want 1 rate limit and 3s waited", st)
	}
}

func TestRateLimitGateIsPerMethod(t *testing.T) {
	clock := newFakeClock()
	script, api, web := newTestAPI(t, clock, time.Second)
	script.on("auth.test", status(http.StatusTooManyRequests, "7"), okJSON(authOK))
	script.on("users.info", okJSON(`{"ok":true,"user":{"id":"U1"}}`))
	ctx := context.Background()

	// The relay's way: take the 429 back instead of waiting.
	err := web.call(ctx, "auth.test", callOpts{noRateLimitWait: true}, authTest(api))
	rl, ok := errors.AsType[*RateLimitError](err)
	if !ok || rl.RetryAfter != 7*time.Second {
		t.Fatalf("got error %v, want a *RateLimitError of 7s", err)
	}
	// Another method is not held back.
	if err := web.call(ctx, "users.info", callOpts{}, func(ctx context.Context) error {
		_, err := api.GetUserInfoContext(ctx, "U1")
		return err
	}); err != nil {
		t.Fatalf("users.info error = %v", err)
	}
	if got := clock.Sleeps(); len(got) != 0 {
		t.Fatalf("got sleeps %v before the gated method ran, want none", got)
	}
	// The next caller of the limited method waits out the gate before sending.
	if err := web.call(ctx, "auth.test", callOpts{}, authTest(api)); err != nil {
		t.Fatalf("auth.test error = %v", err)
	}
	if got, want := clock.Sleeps(), []time.Duration{7 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("got sleeps %v, want %v", got, want)
	}
	if got := script.count("auth.test"); got != 2 {
		t.Errorf("got %d auth.test calls, want 2 (no call inside the gate)", got)
	}
}

func TestConcurrentCallersShareTheGate(t *testing.T) {
	script, srv := newScriptedSlack(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/"))
	var limited atomic.Bool
	var insideGate atomic.Int64
	var gateEnds atomic.Int64 // unix nanos of the gate's end
	script.on("auth.test", func(w http.ResponseWriter, r *http.Request) {
		if end := gateEnds.Load(); end != 0 && time.Now().UnixNano() < end {
			insideGate.Add(1)
		}
		if limited.CompareAndSwap(false, true) {
			gateEnds.Store(time.Now().Add(time.Second).UnixNano())
			status(http.StatusTooManyRequests, "1")(w, r)
			return
		}
		okJSON(authOK)(w, r)
	})
	web := newWebAPI(time.Now, sleepCtx, 5*time.Second)
	ctx := context.Background()
	if err := web.call(ctx, "auth.test", callOpts{noRateLimitWait: true}, authTest(api)); err == nil {
		t.Fatal("first call: got no error, want a rate limit")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- web.call(ctx, "auth.test", callOpts{}, authTest(api)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent call error = %v", err)
		}
	}
	if n := insideGate.Load(); n != 0 {
		t.Errorf("got %d calls inside the Retry-After window, want 0", n)
	}
	if got := script.count("auth.test"); got != 5 {
		t.Errorf("got %d calls, want 5", got)
	}
}

func TestCallClassification(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		opts      callOpts
		check     func(error) bool
		wantCalls int
	}{
		{name: "api error is definite", handler: okJSON(`{"ok":false,"error":"invalid_auth"}`),
			check: func(err error) bool { ae, ok := errors.AsType[*APIError](err); return ok && ae.Code == "invalid_auth" }, wantCalls: 1},
		{name: "internal_error is ambiguous", handler: okJSON(`{"ok":false,"error":"internal_error"}`),
			check: func(err error) bool { return errors.Is(err, ErrAmbiguous) }, wantCalls: 1},
		{name: "500 is ambiguous", handler: status(http.StatusInternalServerError, ""),
			check: func(err error) bool { return errors.Is(err, ErrAmbiguous) }, wantCalls: 1},
		{name: "503 is ambiguous", handler: status(http.StatusServiceUnavailable, ""),
			check: func(err error) bool { return errors.Is(err, ErrAmbiguous) }, wantCalls: 1},
		{name: "404 is definite", handler: status(http.StatusNotFound, ""),
			check: func(err error) bool { ae, ok := errors.AsType[*APIError](err); return ok && ae.Code == "http_404" }, wantCalls: 1},
		{name: "timeout is ambiguous", handler: hang,
			check: func(err error) bool { return errors.Is(err, ErrAmbiguous) }, wantCalls: 1},
		{name: "reset is ambiguous", handler: reset,
			check: func(err error) bool { return errors.Is(err, ErrAmbiguous) }, wantCalls: 1},
		{name: "unreadable body is ambiguous", handler: okJSON(`{"ok":tru`),
			check: func(err error) bool { return errors.Is(err, ErrAmbiguous) }, wantCalls: 1},
		{name: "429 without Retry-After waits a second", handler: status(http.StatusTooManyRequests, ""), opts: callOpts{noRateLimitWait: true},
			check: func(err error) bool {
				rl, ok := errors.AsType[*RateLimitError](err)
				return ok && rl.RetryAfter == time.Second
			}, wantCalls: 1},
		{name: "429 retried at most the limit", handler: status(http.StatusTooManyRequests, "1"),
			check: func(err error) bool { _, ok := errors.AsType[*RateLimitError](err); return ok }, wantCalls: maxRateLimitRetries + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			script, api, web := newTestAPI(t, clock, 100*time.Millisecond)
			script.on("auth.test", tt.handler)
			err := web.call(context.Background(), "auth.test", tt.opts, authTest(api))
			if err == nil || !tt.check(err) {
				t.Fatalf("got error %v (%T), want the expected class", err, err)
			}
			if errors.Is(err, ErrAmbiguous) && errors.Is(err, ErrUnsent) {
				t.Errorf("got error %v both ambiguous and unsent", err)
			}
			if got := script.count("auth.test"); got != tt.wantCalls {
				t.Errorf("got %d calls, want %d", got, tt.wantCalls)
			}
		})
	}
}

// dialFailing fails the first n requests as a refused connection, then passes them on.
type dialFailing struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (d *dialFailing) RoundTrip(r *http.Request) (*http.Response, error) {
	if d.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return d.next.RoundTrip(r)
}

func TestDialErrorIsRetried(t *testing.T) {
	clock := newFakeClock()
	script, srv := newScriptedSlack(t)
	script.on("auth.test", okJSON(authOK))
	rt := &dialFailing{next: http.DefaultTransport}
	rt.n.Store(1)
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/"), slack.OptionHTTPClient(&http.Client{Transport: rt}))
	web := newWebAPI(clock.Now, clock.Sleep, time.Second)

	if err := web.call(context.Background(), "auth.test", callOpts{}, authTest(api)); err != nil {
		t.Fatalf("call error = %v, want success after a retry", err)
	}
	if got, want := clock.Sleeps(), []time.Duration{dialRetryBase}; !reflect.DeepEqual(got, want) {
		t.Errorf("got sleeps %v, want %v", got, want)
	}
	if got := script.count("auth.test"); got != 1 {
		t.Errorf("got %d calls reaching Slack, want 1", got)
	}
	if got := web.stats().DialRetries; got != 1 {
		t.Errorf("got %d dial retries, want 1", got)
	}
}

func TestRefusedConnectionIsUnsent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	clock := newFakeClock()
	const secretPath = "/actions/T1/secret-response-token"
	web := newWebAPI(clock.Now, clock.Sleep, time.Second)
	err = web.call(context.Background(), "response_url", callOpts{}, func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, "http://"+addr+secretPath, http.DefaultClient, &slack.WebhookMessage{Text: "x"})
	})
	if !errors.Is(err, ErrUnsent) || errors.Is(err, ErrAmbiguous) {
		t.Fatalf("got error %v, want ErrUnsent only", err)
	}
	if strings.Contains(err.Error(), "secret-response-token") {
		t.Errorf("got error %q, want it not to quote the URL", err)
	}
	want := []time.Duration{dialRetryBase, 2 * dialRetryBase, 4 * dialRetryBase}
	if got := clock.Sleeps(); !reflect.DeepEqual(got, want) {
		t.Errorf("got sleeps %v, want %v", got, want)
	}
}

func TestAmbiguousErrorDoesNotQuoteURL(t *testing.T) {
	clock := newFakeClock()
	hanging := httptest.NewServer(http.HandlerFunc(hang))
	t.Cleanup(hanging.Close)
	web := newWebAPI(clock.Now, clock.Sleep, 50*time.Millisecond)
	err := web.call(context.Background(), "response_url", callOpts{}, func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, hanging.URL+"/hooks/secret-xyz", http.DefaultClient, &slack.WebhookMessage{Text: "x"})
	})
	if !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("got error %v, want ErrAmbiguous", err)
	}
	if strings.Contains(err.Error(), "secret-xyz") {
		t.Errorf("got error %q, want it not to quote the URL", err)
	}
}

func TestGateWaitHonoursContext(t *testing.T) {
	web := newWebAPI(time.Now, sleepCtx, time.Second)
	web.block("chat.postMessage", time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := web.call(ctx, "chat.postMessage", callOpts{}, func(context.Context) error { called = true; return nil })
	if !errors.Is(err, ErrUnsent) || !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want ErrUnsent wrapping context.Canceled", err)
	}
	if called {
		t.Errorf("got the call made inside a closed gate, want it not made")
	}
}

// TestWriteBefore: a request whose fence ran out before its connection could write it (a process
// paused between the fence and the wire) never reaches the server, on a fresh connection or a
// kept one; one written in time goes out, and the connection it used serves the next request.
func TestWriteBefore(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	client := srv.Client()
	get := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		return res.Body.Close()
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		ctx      context.Context
		wantSent bool
	}{
		{"run out, fresh connection", writeBefore(ctx, time.Now().Add(-time.Second)), false},
		{"in time", writeBefore(ctx, time.Now().Add(time.Minute)), true},
		{"no fence, on the kept connection", ctx, true},
		{"run out, kept connection", writeBefore(ctx, time.Now().Add(-time.Second)), false},
		{"in time again", writeBefore(ctx, time.Now().Add(time.Minute)), true},
	}
	for _, tt := range tests {
		before := hits.Load()
		err := get(tt.ctx)
		sent := hits.Load() > before
		if sent != tt.wantSent || (err == nil) != tt.wantSent {
			t.Errorf("%s: got sent %v, error %v; want sent %v", tt.name, sent, err, tt.wantSent)
		}
	}
}
