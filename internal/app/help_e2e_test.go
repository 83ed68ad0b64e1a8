package app

import (
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// TestE2ESlashCommandsArePrivate: the help feature's words answer the bare command, help, an
// unknown verb and unreadable text, a feature answers its own verb, and every reply is private.
func TestE2ESlashCommandsArePrivate(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "U1", Name: "ada", TZ: "Europe/London"})
	tests := []struct {
		name, text, want string
	}{
		{"bare command", "", "How to use Reflect"},
		{"help", "help", "/reflect schedule"},
		{"unknown verb", "dance", `I don't know "dance"`},
		{"unreadable text", "help\x01", "I couldn't read that command"},
		{"bad arguments get the verb's usage", "assess now", "Usage: /reflect assess"},
		{"registered verb", "history", "You're not getting Reflect's weekly prompts yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.command("U1", tt.text); !strings.Contains(got, tt.want) {
				t.Errorf("got reply %q, want it to contain %q", got, tt.want)
			}
		})
	}
	for _, m := range s.emu.Messages("C1") {
		if !m.Ephemeral {
			t.Errorf("got a public message %q in the channel, want only private replies", m.Text)
		}
	}
}

// TestE2EDMGetsHelpAndOwnPostIsIgnored: a DM that is neither an answer nor a command word gets
// the DM help, through the outbox; the bot's own post, sent back to it, is ignored.
func TestE2EDMGetsHelpAndOwnPostIsIgnored(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "U1", Name: "ada", TZ: "Europe/London"})
	s.emu.SendDM("U1", "what is this?")
	s.eventually("the help reply", func() bool { return len(s.botDMs("U1")) == 1 })
	// The emulator, like Slack, sends the bot its own DM post back as a message event.
	s.eventually("the bot's own post to be seen and ignored", func() bool { return s.app.Stats().IgnoredBots >= 1 })
	s.settle()
	got := s.botDMs("U1")
	if len(got) != 1 {
		t.Fatalf("got %d bot messages, want 1 (no reply to its own post)", len(got))
	}
	if !strings.Contains(got[0].Text, "I'm Reflect") {
		t.Errorf("got %q, want the DM help", got[0].Text)
	}
	md := got[0].Metadata
	if md == nil || md.EventType != "reflect_outbox" {
		t.Errorf("got metadata %+v, want reflect_outbox", md)
	}
	testkit.AssertNotLogged(t, s.logs, "what is this?")
}
