package app

import (
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// TestEveryQueuedKindHasARenderer: the wired app expects every kind the store can queue
// (db.Kinds, which the store's own test keeps whole) and has a renderer or upload renderer for
// each, so Run's start-up check passes.
func TestEveryQueuedKindHasARenderer(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{BotToken: "xoxb-test", AppToken: "xapp-test", SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON"}
	bot, err := New(cfg, nil, testkit.OpenStore(t), cat, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	bot.Slack.ExpectKinds(db.Kinds()...) // again, in case New stopped declaring them
	if missing := bot.Slack.MissingRenderers(); len(missing) != 0 {
		t.Errorf("got outbox kinds with no renderer %v, want none", missing)
	}
}
