package help

import (
	"strings"
	"testing"

	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackapp/slacktest"
	"github.com/reflect-bot/reflect/internal/testkit"
)

func TestBlocksGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  slackapp.Message
	}{
		{name: "usage", msg: UsageMessage("/reflect")},
		{name: "usage_custom_command", msg: UsageMessage("/lead")},
		{name: "unknown_verb", msg: UnknownVerbMessage("/reflect", "dance")},
		{name: "unknown_verb_escaped", msg: UnknownVerbMessage("/reflect", "<@U1>&`x`")},
		{name: "command_error", msg: CommandErrorMessage("/reflect", &slackapp.CommandError{Problem: "it contains control characters"})},
		{name: "apology", msg: ApologyMessage()},
		{name: "dm_help", msg: DMHelpMessage("/reflect")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Golden(t, tt.name, tt.msg)
			slacktest.CheckLimits(t, tt.msg)
		})
	}
}

func TestOutsideTextCannotMention(t *testing.T) {
	for name, m := range map[string]slackapp.Message{
		"unknown verb":  UnknownVerbMessage("/reflect", "<!channel>"),
		"command error": CommandErrorMessage("/reflect", &slackapp.CommandError{Problem: "<!channel>"}),
	} {
		texts := []string{m.Text}
		for _, b := range m.Blocks {
			if s, ok := b.(*slackapp.SectionBlock); ok && s.Text != nil {
				texts = append(texts, s.Text.Text)
			}
		}
		for _, s := range texts {
			if strings.Contains(s, "<!channel>") {
				t.Errorf("%s: got %q, want the outside text escaped so it cannot notify a channel", name, s)
			}
		}
	}
}
