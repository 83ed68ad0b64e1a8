package slackapp

import (
	"context"
	"slices"
	"strings"
	"testing"

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
