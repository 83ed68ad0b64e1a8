package app

import (
	"testing"

	"github.com/reflect-bot/reflect/internal/db"
)

// TestEveryQueuedKindHasARenderer: the wired app expects every kind the store can queue
// (db.Kinds, which the store's own test keeps whole) and has a renderer or upload renderer for
// each, so Run's start-up check passes.
func TestEveryQueuedKindHasARenderer(t *testing.T) {
	bot := wiredApp(t)
	bot.Slack.ExpectKinds(db.Kinds()...) // again, in case New stopped declaring them
	if missing := bot.Slack.MissingRenderers(); len(missing) != 0 {
		t.Errorf("got outbox kinds with no renderer %v, want none", missing)
	}
}
