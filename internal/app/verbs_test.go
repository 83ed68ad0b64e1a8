package app

import (
	"slices"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/feature/help"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// TestEveryDocumentedVerbHasAHandler: the help lists exactly the verbs some feature handles, so
// no documented command goes unanswered and none is hidden; the DM words are among them.
func TestEveryDocumentedVerbHasAHandler(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{BotToken: "xoxb-test", AppToken: "xapp-test", SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON"}
	bot, err := New(cfg, nil, testkit.OpenStore(t), cat, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	documented, dmWords := help.Verbs()
	if handled := bot.Slack.Verbs(); !slices.Equal(documented, handled) {
		t.Errorf("help lists %v, features handle %v: want the same verbs", documented, handled)
	}
	for _, w := range dmWords {
		if !slices.Contains(documented, w) {
			t.Errorf("DM word %q is not a documented verb", w)
		}
	}
}
