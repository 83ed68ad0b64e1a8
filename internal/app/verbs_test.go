package app

import (
	"slices"
	"testing"

	"github.com/reflect-bot/reflect/internal/feature/help"
)

// TestEveryDocumentedVerbHasAHandler: the help lists exactly the verbs some feature handles, so
// no documented command goes unanswered and none is hidden; the DM words are among them.
func TestEveryDocumentedVerbHasAHandler(t *testing.T) {
	bot := wiredApp(t)
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
