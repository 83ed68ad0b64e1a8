package slackapp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// A reconnect that apps.connections.open (Tier 1) answers with 429 waits out its Retry-After,
// with jitter on top so replicas told the same do not come back together, instead of calling
// again within a second.
func TestE2EReconnectWaitsOutRetryAfter(t *testing.T) {
	var (
		mu    sync.Mutex
		waits []time.Duration
	)
	h := startHarness(t, harnessConfig{appOpts: []Option{WithSleep(func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err() // the test's clock: the wait is recorded, not slept
	})}})
	const retryAfter = 30 * time.Second
	h.emu.FailNext("apps.connections.open", 1, slackemu.Fault{Kind: slackemu.FaultRateLimit, RetryAfter: int(retryAfter / time.Second)})
	h.emu.DropConnections()
	h.eventually("a new connection", func() bool { return h.emu.ConnectCount() >= 2 && h.app.Connected() })
	mu.Lock()
	defer mu.Unlock()
	var waited bool
	for _, d := range waits {
		if d >= retryAfter && d <= retryAfter+retryAfter/4 {
			waited = true
		}
	}
	if !waited {
		t.Errorf("reconnect waits %v, want one of Retry-After %s to %s (with jitter)", waits, retryAfter, retryAfter+retryAfter/4)
	}
	if n := h.emu.Calls("apps.connections.open"); n != 3 {
		t.Errorf("got %d apps.connections.open calls, want 3 (the first, the one answered 429, then one after the wait)", n)
	}
}

// Replicas told the same Retry-After come back spread over a quarter of it, never before it.
func TestReconnectWaitHonoursRetryAfterWithJitter(t *testing.T) {
	const retryAfter = 10 * time.Second
	for _, err := range []error{
		&slack.RateLimitedError{RetryAfter: retryAfter},
		&connectionError{err: &slack.RateLimitedError{RetryAfter: retryAfter}, backoff: retryAfter},
	} {
		seen := map[time.Duration]bool{}
		for range 20 {
			b := backoff{min: reconnectMin, max: reconnectMax}
			d := reconnectWait(&b, err)
			if d < retryAfter || d > retryAfter+retryAfter/4 {
				t.Fatalf("reconnectWait(%v) = %s, want between %s and %s", err, d, retryAfter, retryAfter+retryAfter/4)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("20 replicas would all wait %v, want them spread", seen)
		}
	}
}

// An app-level token Slack stops accepting while the app runs ends Run with an error that names
// it (and that cmd/bot turns into its own exit status), instead of reconnecting forever.
func TestE2EAppTokenRejectedOnReconnectEndsRun(t *testing.T) {
	for _, code := range []string{"invalid_auth", "token_revoked", "account_inactive"} {
		t.Run(code, func(t *testing.T) {
			emu := slackemu.New(slackemu.WithT(t), slackemu.WithPingInterval(100*time.Millisecond))
			t.Cleanup(emu.Close)
			store := testkit.OpenStore(t)
			var logs testkit.LogBuffer
			app, err := New(Config{BotToken: emu.BotToken(), AppToken: emu.AppToken(), APIURL: emu.APIURL(), SlashCommand: "/reflect",
				PingInterval: 500 * time.Millisecond}, store, store, testkit.NewLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- app.Run(ctx) }()
			for !app.Connected() || emu.Connections() != 1 {
				if ctx.Err() != nil {
					t.Fatal("never connected")
				}
				time.Sleep(10 * time.Millisecond)
			}
			emu.FailNext("apps.connections.open", 1, slackemu.Fault{Kind: slackemu.FaultError, Code: code})
			emu.DropConnections()
			select {
			case err = <-done:
			case <-ctx.Done():
				t.Fatalf("Run still reconnecting after Slack rejected the app token (%d apps.connections.open calls)", emu.Calls("apps.connections.open"))
			}
			if err == nil || !errors.Is(err, ErrTokenRejected) || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
				t.Errorf("Run = %v, want an ErrTokenRejected naming SLACK_APP_TOKEN", err)
			}
			if strings.Contains(err.Error(), emu.AppToken()) {
				t.Errorf("the error quotes the token")
			}
			testkit.AssertNotLogged(t, &logs, emu.AppToken(), emu.BotToken())
		})
	}
}
