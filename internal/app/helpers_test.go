package app

import (
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// wiredApp is the composition root as Run builds it, on the built-in catalogue and a test store,
// not connected to Slack.
func wiredApp(t *testing.T) *App {
	t.Helper()
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{BotToken: "xoxb-test", AppToken: "xapp-test", SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON"}
	bot, err := New(cfg, nil, testkit.OpenStore(t), cat, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return bot
}
