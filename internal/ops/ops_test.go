package ops

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/slackapp"
)

// fakeStore is a Store whose methods are func fields; a nil field answers as a healthy, empty store.
type fakeStore struct {
	ping  func(ctx context.Context) error
	depth func(ctx context.Context) (int, error)
	rows  func(ctx context.Context) (map[string]int, error)
}

var _ Store = fakeStore{}

func (f fakeStore) Ping(ctx context.Context) error {
	if f.ping == nil {
		return nil
	}
	return f.ping(ctx)
}

func (f fakeStore) OutboxDepth(ctx context.Context) (int, error) {
	if f.depth == nil {
		return 0, nil
	}
	return f.depth(ctx)
}

func (f fakeStore) Stats(ctx context.Context) (map[string]int, error) {
	if f.rows == nil {
		return map[string]int{}, nil
	}
	return f.rows(ctx)
}

// fakeCounts is a Counts with func fields.
type fakeCounts struct {
	deliveries func(ctx context.Context) (map[string]int, error)
	failed     func(ctx context.Context) (map[string]int, error)
}

var _ Counts = fakeCounts{}

func (f fakeCounts) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	return f.deliveries(ctx)
}

func (f fakeCounts) FailedOutboxCounts(ctx context.Context) (map[string]int, error) {
	return f.failed(ctx)
}

// fakeRuntime is a Runtime with func fields.
type fakeRuntime struct {
	connected func() bool
	stats     func() slackapp.Stats
}

var _ Runtime = fakeRuntime{}

func (f fakeRuntime) Connected() bool {
	if f.connected == nil {
		return true
	}
	return f.connected()
}

func (f fakeRuntime) Stats() slackapp.Stats {
	if f.stats == nil {
		return slackapp.Stats{}
	}
	return f.stats()
}

// errLeaky is the kind of error text that must never reach an HTTP answer.
var errLeaky = errors.New("db: ping writer: open /srv/secret/reflect.db: xoxb-123-leaked")

func newTestServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

func TestNewNeedsStoreAndRuntime(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no store", Config{Runtime: fakeRuntime{}}},
		{"no runtime", Config{Store: fakeStore{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Errorf("got nil error, want one")
			}
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	down := fakeStore{ping: func(context.Context) error { return errLeaky }}
	timedOut := fakeStore{ping: func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("ping without a deadline")
		}
		return context.DeadlineExceeded
	}}
	offline := fakeRuntime{connected: func() bool { return false }}
	tests := []struct {
		name     string
		store    fakeStore
		runtime  fakeRuntime
		path     string
		wantCode int
		wantBody string
	}{
		{"healthz when all is well", fakeStore{}, fakeRuntime{}, "/healthz", 200, "ok\n"},
		{"healthz with the database down and Slack offline", down, offline, "/healthz", 200, "ok\n"},
		{"readyz when all is well", fakeStore{}, fakeRuntime{}, "/readyz", 200, "ready\n"},
		{"readyz with the database down", down, fakeRuntime{}, "/readyz", 503, "database unreachable\n"},
		{"readyz with a ping that times out", timedOut, fakeRuntime{}, "/readyz", 503, "database unreachable\n"},
		{"readyz not connected", fakeStore{}, offline, "/readyz", 503, "not connected to Slack\n"},
		{"readyz with both", down, offline, "/readyz", 503, "database unreachable\nnot connected to Slack\n"},
		{"unknown path", fakeStore{}, fakeRuntime{}, "/debug/pprof/", 404, "404 page not found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, Config{Store: tt.store, Runtime: tt.runtime})
			code, body := get(t, ts.URL+tt.path)
			if code != tt.wantCode || body != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", code, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}

func TestEndpointsAreReadOnly(t *testing.T) {
	ts := newTestServer(t, Config{Store: fakeStore{}, Runtime: fakeRuntime{}})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Post(ts.URL+path, "text/plain", strings.NewReader("x"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST %s: got %d, want 405", path, resp.StatusCode)
			}
		})
	}
}

// metricNames are every metric /metrics must always carry, plus the Go and process collectors'.
var metricNames = []string{
	"reflect_envelopes_acked_total",
	"reflect_duplicate_events_dropped_total",
	"reflect_requests_handled_total",
	"reflect_handler_errors_total",
	"reflect_handler_panics_total",
	"reflect_requests_dropped_total",
	"reflect_bot_messages_ignored_total",
	"reflect_socket_connects_total",
	"reflect_socket_reconnects_total",
	"reflect_outbox_sent_total",
	"reflect_outbox_reconciled_total",
	"reflect_outbox_retried_total",
	"reflect_outbox_failed_total",
	"reflect_outbox_lease_lost_total",
	"reflect_slack_rate_limited_total",
	"reflect_slack_rate_limit_wait_seconds_total",
	"reflect_slack_ambiguous_calls_total",
	"reflect_slack_dial_retries_total",
	"reflect_socket_connected",
	"reflect_outbox_depth",
	"reflect_store_rows",
	"reflect_build_info",
	"reflect_store_scrape_errors_total",
	"reflect_ack_latency_seconds",
	"go_goroutines",
	"process_cpu_seconds_total",
}

// scrape fetches /metrics and returns its samples by series ("name{labels}" → value).
func scrape(t *testing.T, url string) (map[string]float64, string) {
	t.Helper()
	code, body := get(t, url+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: got %d, want 200:\n%s", code, body)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("unreadable sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples, body
}

func TestMetrics(t *testing.T) {
	const userID, channelID = "U0123ABCD", "C0456EFGH"
	stats := slackapp.Stats{
		WebAPIStats: slackapp.WebAPIStats{RateLimited: 3, RateLimitWait: 1500 * time.Millisecond, Ambiguous: 4, DialRetries: 5},
		Acked:       7, Duplicates: 2, Handled: 6, HandlerErrors: 1, Panics: 1, Dropped: 0, IgnoredBots: 8,
		Connects: 3, OutboxSent: 11, OutboxReconciled: 1, OutboxRetried: 2, OutboxFailed: 1, OutboxLeaseLost: 4,
	}
	var connected atomic.Bool
	connected.Store(true)
	ack := NewAckLatency()
	ack.Observe(3 * time.Millisecond)
	ack.Observe(40 * time.Millisecond)
	ts := newTestServer(t, Config{
		Store: fakeStore{
			depth: func(context.Context) (int, error) { return 9, nil },
			rows: func(context.Context) (map[string]int, error) {
				return map[string]int{"answers": 42, "people": 5}, nil
			},
		},
		Runtime: fakeRuntime{connected: connected.Load, stats: func() slackapp.Stats { return stats }},
		Counts: fakeCounts{
			deliveries: func(context.Context) (map[string]int, error) {
				return map[string]int{"pending": 2, "sent": 3, "answered": 10}, nil
			},
			// A kind that names a channel, or a person, must not become a label.
			failed: func(context.Context) (map[string]int, error) {
				return map[string]int{"prompt": 1, "team:" + channelID: 2, userID: 1}, nil
			},
		},
		AckLatency: ack,
		Version:    "v1.2.3",
	})

	samples, body := scrape(t, ts.URL)
	names := append([]string{"reflect_deliveries", "reflect_outbox_failed_messages"}, metricNames...)
	for _, name := range names {
		if !strings.Contains(body, "\n# TYPE "+name+" ") {
			t.Errorf("no metric %s in\n%s", name, body)
		}
	}
	for _, personal := range []string{userID, channelID} {
		if strings.Contains(body, personal) {
			t.Errorf("/metrics contains %q:\n%s", personal, body)
		}
	}
	tests := []struct {
		series string
		want   float64
	}{
		{"reflect_envelopes_acked_total", 7},
		{"reflect_duplicate_events_dropped_total", 2},
		{"reflect_requests_handled_total", 6},
		{"reflect_handler_errors_total", 1},
		{"reflect_handler_panics_total", 1},
		{"reflect_requests_dropped_total", 0},
		{"reflect_bot_messages_ignored_total", 8},
		{"reflect_socket_connects_total", 3},
		{"reflect_socket_reconnects_total", 2},
		{"reflect_outbox_sent_total", 11},
		{"reflect_outbox_reconciled_total", 1},
		{"reflect_outbox_retried_total", 2},
		{"reflect_outbox_failed_total", 1},
		{"reflect_outbox_lease_lost_total", 4},
		{"reflect_slack_rate_limited_total", 3},
		{"reflect_slack_rate_limit_wait_seconds_total", 1.5},
		{"reflect_slack_ambiguous_calls_total", 4},
		{"reflect_slack_dial_retries_total", 5},
		{"reflect_socket_connected", 1},
		{"reflect_outbox_depth", 9},
		{`reflect_store_rows{table="answers"}`, 42},
		{`reflect_store_rows{table="people"}`, 5},
		{`reflect_deliveries{state="pending"}`, 2},
		{`reflect_deliveries{state="sent"}`, 3},
		{`reflect_deliveries{state="answered"}`, 10},
		{`reflect_outbox_failed_messages{kind="prompt"}`, 1},
		{`reflect_outbox_failed_messages{kind="other"}`, 3},
		{`reflect_build_info{version="v1.2.3"}`, 1},
		{"reflect_store_scrape_errors_total", 0},
		{"reflect_ack_latency_seconds_count", 2},
		{`reflect_ack_latency_seconds_bucket{le="0.005"}`, 1},
		{`reflect_ack_latency_seconds_bucket{le="0.05"}`, 2},
	}
	for _, tt := range tests {
		got, ok := samples[tt.series]
		if !ok || got != tt.want {
			t.Errorf("%s: got %v (present: %v), want %v", tt.series, got, ok, tt.want)
		}
	}

	// The connection gauge follows the runtime from one scrape to the next.
	connected.Store(false)
	if samples, _ := scrape(t, ts.URL); samples["reflect_socket_connected"] != 0 {
		t.Errorf("reflect_socket_connected: got %v after the connection dropped, want 0", samples["reflect_socket_connected"])
	}
}

// pacingRuntime is a fakeRuntime whose relay paces its calls.
type pacingRuntime struct {
	fakeRuntime
	pace map[string]slackapp.PaceStats
}

func (p pacingRuntime) PaceStats() map[string]slackapp.PaceStats { return p.pace }

// TestMetricsPace checks the pacer's state per method, and that a name that is not a method's
// never becomes a label.
func TestMetricsPace(t *testing.T) {
	ts := newTestServer(t, Config{
		Store: fakeStore{},
		Runtime: pacingRuntime{pace: map[string]slackapp.PaceStats{
			"chat.postMessage": {Rate: 48.5, Bound: 7, MaxInFlight: 9, RateLimited: 12},
			"U0123ABCD":        {Rate: 1},
		}},
	})
	samples, body := scrape(t, ts.URL)
	tests := []struct {
		series string
		want   float64
	}{
		{`reflect_slack_pace_rate{method="chat.postMessage"}`, 48.5},
		{`reflect_slack_pace_in_flight_bound{method="chat.postMessage"}`, 7},
		{`reflect_slack_pace_max_in_flight{method="chat.postMessage"}`, 9},
		{`reflect_slack_pace_rate_limited_total{method="chat.postMessage"}`, 12},
	}
	for _, tt := range tests {
		if got, ok := samples[tt.series]; !ok || got != tt.want {
			t.Errorf("%s: got %v (present: %v), want %v", tt.series, got, ok, tt.want)
		}
	}
	if strings.Contains(body, "U0123ABCD") {
		t.Errorf("/metrics contains a label that is not a method's name:\n%s", body)
	}
}

func TestMetricsWhenTheStoreFails(t *testing.T) {
	fail := func(context.Context) (map[string]int, error) { return nil, errLeaky }
	ts := newTestServer(t, Config{
		Store: fakeStore{
			depth: func(context.Context) (int, error) { return 0, errLeaky },
			rows:  fail,
		},
		Runtime: fakeRuntime{stats: func() slackapp.Stats { return slackapp.Stats{Acked: 1} }},
		Counts:  fakeCounts{deliveries: fail, failed: fail},
	})
	for scrapeNo := 1; scrapeNo <= 2; scrapeNo++ {
		samples, body := scrape(t, ts.URL)
		tests := []struct {
			name        string
			series      string
			wantPresent bool
			want        float64
		}{
			{"runtime counters still there", "reflect_envelopes_acked_total", true, 1},
			{"failed reads counted", "reflect_store_scrape_errors_total", true, float64(4 * scrapeNo)},
			{"depth left out", "reflect_outbox_depth", false, 0},
		}
		for _, tt := range tests {
			got, ok := samples[tt.series]
			if ok != tt.wantPresent || got != tt.want {
				t.Errorf("scrape %d: %s: got %v (present: %v), want %v (present: %v)",
					scrapeNo, tt.name, got, ok, tt.want, tt.wantPresent)
			}
		}
		for _, leak := range []string{"secret", "xoxb-", "reflect.db"} {
			if strings.Contains(body, leak) {
				t.Errorf("scrape %d: /metrics contains %q", scrapeNo, leak)
			}
		}
	}
}

func TestWithoutCountsTheirMetricsAreLeftOut(t *testing.T) {
	ts := newTestServer(t, Config{Store: fakeStore{}, Runtime: fakeRuntime{}})
	samples, body := scrape(t, ts.URL)
	for _, name := range []string{"reflect_deliveries", "reflect_outbox_failed_messages"} {
		if strings.Contains(body, name) {
			t.Errorf("got %s without a Counts, want it left out", name)
		}
	}
	// An unobserved histogram is still exposed, at zero.
	if got, ok := samples["reflect_ack_latency_seconds_count"]; !ok || got != 0 {
		t.Errorf("reflect_ack_latency_seconds_count: got %v (present: %v), want 0", got, ok)
	}
}

func TestLabelValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"answers", "answers"},
		{"seen_events", "seen_events"},
		{"prompt", "prompt"},
		{"U0123ABCD", "other"},
		{"team:C0456EFGH", "other"},
		{"channel:C1", "other"},
		{"", "other"},
		{"a private thought", "other"},
		{strings.Repeat("x", 33), "other"},
	}
	for _, tt := range tests {
		if got := labelValue(tt.in); got != tt.want {
			t.Errorf("labelValue(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestServeShutsDownWithTheContext(t *testing.T) {
	s, err := New(Config{Store: fakeStore{}, Runtime: fakeRuntime{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	if code, body := get(t, url+"/healthz"); code != 200 {
		t.Fatalf("GET /healthz while serving: got %d %q, want 200", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatalf("Serve did not return after cancel")
	}
	if resp, err := http.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("GET /healthz after shutdown: got %d, want the connection refused", resp.StatusCode)
	}
}

func TestServeReportsAListenerThatFails(t *testing.T) {
	s, err := New(Config{Store: fakeStore{}, Runtime: fakeRuntime{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Serve's Accept fails at once
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Serve(ctx, ln); err == nil || ctx.Err() != nil {
		t.Errorf("got %v (context: %v), want an error from the closed listener before the deadline", err, ctx.Err())
	}
}
