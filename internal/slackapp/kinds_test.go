package slackapp

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// TestRunRefusesAKindWithoutRenderer: an expected outbox kind with no renderer stops Run before
// it connects, naming the kind; one with a renderer or an upload renderer passes.
func TestRunRefusesAKindWithoutRenderer(t *testing.T) {
	store := testkit.OpenStore(t)
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: "http://127.0.0.1:1/", SlashCommand: "/reflect"}, store, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.RegisterRenderer("rendered", func(context.Context, db.OutboxItem) (Message, error) { return Message{Text: "x"}, nil })
	a.RegisterUpload("uploaded", func(context.Context, db.OutboxItem) (Upload, error) { return Upload{}, nil })
	a.ExpectKinds(db.KindMessage, "rendered", "uploaded", "forgotten", "also_forgotten")
	if got := a.MissingRenderers(); !slices.Equal(got, []db.Kind{"also_forgotten", "forgotten"}) {
		t.Errorf("got missing %v, want [also_forgotten forgotten]", got)
	}
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "also_forgotten") || !strings.Contains(err.Error(), "no renderer") {
		t.Errorf("Run = %v, want an error naming the kinds with no renderer", err)
	}
	if a.Stats().Connects != 0 {
		t.Errorf("got %d connections, want none before the check passes", a.Stats().Connects)
	}
}

// TestItemCallsWaitLittle: a relay worker waits at a closed rate-limit gate or for a pacer slot
// no longer than relayGateWait, however much of its item's lease is left, and never past the
// lease: a longer wait sends the item back to the queue rather than hold the worker (and with it
// the rest of its batch).
func TestItemCallsWaitLittle(t *testing.T) {
	store := testkit.OpenStore(t)
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: "http://127.0.0.1:1/", SlashCommand: "/reflect"}, store, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	long := db.OutboxItem{ID: 1, Token: 7}
	short := db.OutboxItem{ID: 2, Token: 7}
	a.leases.hold([]db.OutboxItem{long}, a.now().Add(30*time.Second))
	a.leases.hold([]db.OutboxItem{short}, a.now().Add(500*time.Millisecond))
	for _, tc := range []struct {
		name string
		it   db.OutboxItem
		max  time.Duration
	}{
		{"30 s of lease left", long, relayGateWait},
		{"half a second left", short, 500 * time.Millisecond},
		{"not held", db.OutboxItem{ID: 3, Token: 7}, time.Nanosecond},
	} {
		if o := a.itemOpts(tc.it); o.maxWait <= 0 || o.maxWait > tc.max {
			t.Errorf("%s: maxWait %s, want in (0, %s]", tc.name, o.maxWait, tc.max)
		}
		if p := a.postOpts(tc.it); p.maxWait <= 0 || p.maxWait > tc.max || p.fence == nil {
			t.Errorf("%s: a post waits %s (fence %v), want in (0, %s] and a fence", tc.name, p.maxWait, p.fence != nil, tc.max)
		}
	}
}
