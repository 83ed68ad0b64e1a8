package slackapp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// enqueueText queues a plain message to channel without waking the relay.
func (h *harness) enqueueText(channel, text string) int64 {
	h.t.Helper()
	payload, err := json.Marshal(Message{Text: text})
	if err != nil {
		h.t.Fatal(err)
	}
	id, err := h.store.Enqueue(context.Background(), db.OutboxMessage{ChannelID: channel, Kind: db.KindMessage, Payload: payload})
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// texts counts the messages in channel by text.
func (h *harness) texts(channel string) map[string]int {
	got := map[string]int{}
	for _, m := range h.emu.Messages(channel) {
		got[m.Text]++
	}
	return got
}

// A relay whose lease was taken over while it was busy with another post (Slack slow to answer)
// does not post the item it no longer holds: the new holder does.
func TestE2ERelayDoesNotPostALostItem(t *testing.T) {
	h := startHarness(t, harnessConfig{appOpts: []Option{
		WithOutboxWorkers(1), WithOutboxLease(6 * time.Second), WithCallTimeout(5 * time.Second),
	}})
	h.emu.SetLatency("chat.postMessage", 1500*time.Millisecond)
	h.enqueueText("C1", "first")
	second := h.enqueueText("C1", "second")
	h.app.Notify()
	h.eventually("the first post's call", func() bool { return h.emu.Calls("chat.postMessage") == 1 })

	// Another replica, whose clock says the leases ran out, takes both over meanwhile.
	other, err := db.Open(context.Background(), h.url, db.WithNow(func() time.Time { return time.Now().Add(time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	taken, err := other.ClaimOutbox(context.Background(), time.Hour, 10)
	if err != nil || len(taken) != 2 {
		t.Fatalf("takeover claim = %+v, %v; want both items", taken, err)
	}
	h.eventually("the relay to give the second post up", func() bool { return h.app.Stats().OutboxLeaseLost == 1 })
	h.emu.SetLatency("chat.postMessage", 0)
	if got := h.texts("C1"); got["first"] != 1 || got["second"] != 0 {
		t.Errorf("posted %v, want the first (under way before the takeover) once and the second not at all", got)
	}
	if n := h.emu.Calls("chat.postMessage"); n != 1 {
		t.Errorf("got %d chat.postMessage calls, want 1", n)
	}
	// The new holder still holds it: the relay left it alone.
	if err := other.CompleteOutbox(context.Background(), second, "C1", "9.9"); err != nil {
		t.Fatal(err)
	}
}

// A Retry-After longer than what is left of a lease releases the items waiting behind the closed
// gate instead of sleeping on them while their lease runs out.
func TestE2ERelayReleasesItemsOnALongRetryAfter(t *testing.T) {
	h := startHarness(t, harnessConfig{appOpts: []Option{WithOutboxWorkers(1), WithOutboxLease(2 * time.Second)}})
	h.emu.FailNext("chat.postMessage", 1, slackemu.Fault{Kind: slackemu.FaultRateLimit, RetryAfter: 60})
	h.enqueueText("C1", "first")
	h.enqueueText("C1", "second")
	h.app.Notify()
	h.eventually("both posts to be put back for after the Retry-After", func() bool {
		return h.app.Stats().OutboxRetried == 2
	})
	if n := h.emu.Calls("chat.postMessage"); n != 1 {
		t.Errorf("got %d chat.postMessage calls, want 1 (the one answered 429)", n)
	}
	if d := h.outboxDepth(); d != 2 {
		t.Errorf("outbox depth %d, want both posts still queued", d)
	}
}

// A token Slack no longer accepts stops all sending, as an uninstall does, and keeps every queued
// post for when the app is started again with good tokens.
func TestE2ETokenErrorStopsSendingAndKeepsTheQueue(t *testing.T) {
	for _, code := range []string{"invalid_auth", "account_inactive", "token_revoked", "not_authed"} {
		t.Run(code, func(t *testing.T) {
			h := startHarness(t, harnessConfig{appOpts: []Option{WithStateStore(nil)}})
			h.enrol("U1")
			h.emu.FailNext("chat.postMessage", 1, slackemu.Fault{Kind: slackemu.FaultError, Code: code})
			ctx := context.Background()
			if err := h.app.SendDM(ctx, "U1", Message{Text: "your weekly prompt"}); err != nil {
				t.Fatal(err)
			}
			h.eventually("sending to stop", h.app.SendingStopped)
			h.eventually("the post to be put back", func() bool { return h.app.Stats().OutboxRetried == 1 })
			if err := h.app.SendDM(ctx, "U1", Message{Text: "a reply"}); err != nil {
				t.Fatal(err)
			}
			if st := h.app.Stats(); st.OutboxFailed != 0 {
				t.Errorf("got %d posts failed, want none (the queue is kept)", st.OutboxFailed)
			}
			if d := h.outboxDepth(); d != 2 {
				t.Errorf("outbox depth %d, want both posts kept", d)
			}
			if n := h.emu.Calls("chat.postMessage"); n != 1 {
				t.Errorf("got %d chat.postMessage calls, want 1: nothing more once the token is refused", n)
			}
			if !strings.Contains(h.logs.String(), "SLACK_BOT_TOKEN") {
				t.Errorf("the log does not say which token Slack refused")
			}
		})
	}
}

// The flag survives a restart: the store records why sending stopped.
func TestE2ETokenErrorIsRecorded(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	h.app.state = h.store
	h.emu.FailNext("chat.postMessage", 1, slackemu.Fault{Kind: slackemu.FaultError, Code: "invalid_auth"})
	h.enqueueText("C1", "hello")
	h.app.Notify()
	h.eventually("the flag to be recorded", func() bool {
		v, ok, err := h.store.AppState(context.Background(), stoppedKey)
		return err == nil && ok && strings.Contains(v, "invalid_auth")
	})
}

// An outage longer than the old ten attempts loses nothing: a post retries with capped backoff
// until Slack answers again, and goes out once.
func TestE2EOutboxOutlastsALongOutage(t *testing.T) {
	h := startHarness(t, harnessConfig{appOpts: []Option{WithOutboxRetry(5 * time.Millisecond), WithOutboxRetryCap(20 * time.Millisecond)}})
	h.enrol("U1")
	const failures = 15
	h.emu.FailNext("chat.postMessage", failures, slackemu.Fault{Kind: slackemu.FaultHTTP500})
	if err := h.app.SendDM(context.Background(), "U1", Message{Text: "your weekly prompt"}); err != nil {
		t.Fatal(err)
	}
	h.eventually("the post to go out", func() bool { return h.app.Stats().OutboxSent == 1 })
	if got := h.botDMs(); len(got) != 1 {
		t.Errorf("got %d bot DMs, want the prompt once", len(got))
	}
	if st := h.app.Stats(); st.OutboxFailed != 0 || h.emu.Calls("chat.postMessage") != failures+1 {
		t.Errorf("got %d failed and %d calls, want 0 failed and %d calls", st.OutboxFailed, h.emu.Calls("chat.postMessage"), failures+1)
	}
}
