package slackapp

import (
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestBackoffIsCappedWithJitter(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: time.Second}
	steps := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
	for i, step := range steps {
		step *= time.Millisecond
		got := b.next()
		if got < step/2 || got > step {
			t.Errorf("step %d: got %s, want between %s and %s", i, got, step/2, step)
		}
	}
	b.reset()
	if got := b.next(); got > 100*time.Millisecond {
		t.Errorf("after reset got %s, want at most the minimum", got)
	}
	for range 100 { // far past any shift overflow
		b.next()
	}
	if got := b.next(); got > time.Second || got <= 0 {
		t.Errorf("after many attempts got %s, want within (0, 1s]", got)
	}
}

func TestAppTokenError(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		fatal bool
	}{
		{"invalid_auth", slack.SlackErrorResponse{Err: "invalid_auth"}, true},
		{"wrong token type", slack.SlackErrorResponse{Err: "not_allowed_token_type"}, true},
		{"revoked", slack.SlackErrorResponse{Err: "token_revoked"}, true},
		{"transient", slack.SlackErrorResponse{Err: "internal_error"}, false},
		{"http 500", slack.StatusCodeError{Code: 500}, false},
		{"network", errors.New("connection refused"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := appTokenError(tt.err) != nil; got != tt.fatal {
				t.Errorf("appTokenError(%v) fatal = %v, want %v", tt.err, got, tt.fatal)
			}
		})
	}
}

func TestSameID(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{float64(42), true}, {float64(43), false}, {"42", true}, {"x", false}, {int64(42), true}, {nil, false}, {true, false},
	}
	for _, tt := range tests {
		if got := sameID(tt.v, 42); got != tt.want {
			t.Errorf("sameID(%#v, 42) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestSlackTS(t *testing.T) {
	got := slackTS(time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC))
	if want := "1735787045.123456"; got != want {
		t.Errorf("slackTS = %q, want %q", got, want)
	}
	if got := slackTS(time.Time{}); got != "0" {
		t.Errorf("slackTS(zero) = %q, want 0", got)
	}
}

func TestRetryDelay(t *testing.T) {
	a := &App{outboxRetry: time.Second}
	tests := []struct {
		attempts int
		base     time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second}, {20, maxOutboxBackoff}, {99, maxOutboxBackoff},
	}
	for _, tt := range tests {
		got := a.retryDelay(tt.attempts)
		if got < tt.base || got > tt.base+tt.base/4 {
			t.Errorf("retryDelay(%d) = %s, want between %s and %s", tt.attempts, got, tt.base, tt.base+tt.base/4)
		}
	}
}
