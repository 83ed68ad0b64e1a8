// Package slacktest holds checks that the feature packages' tests share about the messages they
// build. Only tests import it; it takes the small T interface rather than importing testing.
package slacktest

import "github.com/reflect-bot/reflect/internal/slackapp"

// T is the part of a test (*testing.T, testing.TB) that CheckLimits uses.
type T interface {
	Helper()
	Errorf(format string, args ...any)
}

// CheckLimits enforces the Block Kit rules every message must meet: a text fallback, at most 50
// blocks, unique block ids and section text within slackapp.MaxSectionText.
// https://docs.slack.dev/reference/block-kit/blocks
func CheckLimits(t T, m slackapp.Message) {
	t.Helper()
	if m.Text == "" {
		t.Errorf("got no text, want text with every message")
	}
	if len(m.Blocks) > 50 {
		t.Errorf("got %d blocks, want at most 50", len(m.Blocks))
	}
	ids := map[string]bool{}
	for _, b := range m.Blocks {
		id := b.ID()
		if id != "" && ids[id] {
			t.Errorf("got block_id %q twice, want unique ids", id)
		}
		ids[id] = true
		if s, ok := b.(*slackapp.SectionBlock); ok && s.Text != nil {
			if n := len([]rune(s.Text.Text)); n > slackapp.MaxSectionText {
				t.Errorf("got section text of %d characters, want at most %d", n, slackapp.MaxSectionText)
			}
		}
	}
}
