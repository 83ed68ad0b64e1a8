package app

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// TestE2ETypedReplyToOneTapPrompt: a DM typed while a scale or choice prompt is open is recorded as
// a written answer to that prompt, read with the lexicon, and the prompt shows it; deleting the DM
// brings the buttons back; typing an option's label counts as tapping it; with nothing open, the
// same words get the help.
func TestE2ETypedReplyToOneTapPrompt(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s := newSim(t, start, slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	monday := time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC)

	// Answer text prompts until the open one is a one-tap prompt.
	var d db.Delivery
	var p prompts.Prompt
	for w := 0; ; w++ {
		if w == 8 {
			t.Fatal("no scale or choice prompt in eight weeks")
		}
		s.clock.Set(monday.AddDate(0, 0, 7*w))
		s.tick()
		d, p = s.openDelivery("UA")
		if p.Kind != prompts.Text {
			break
		}
		s.answerAny("UA", d, p)
	}
	helpBefore := countDMs(s, "UA", "Hi! I'm Reflect")

	text := "I coached Ana on her first talk, then fixed the budget and the sprint plan"
	want := s.cat.ReadText(p, text)
	before := len(s.answers("UA"))
	ts := s.emu.SendDM("UA", text)
	s.eventually("the typed answer", func() bool { return len(s.answers("UA")) > before })
	a := s.answers("UA")[0]
	if a.DeliveryID != d.ID || a.PromptID != p.ID || a.OptionIndex != nil || a.Text != text || a.Source != "dm" ||
		a.MessageTS != ts || math.Abs(a.Lean-want.Lean) > 1e-9 || a.Weight != want.Weight {
		t.Errorf("got answer %+v, want a written answer to %s (delivery %d) with lean %v", a, p.ID, d.ID, want.Lean)
	}
	if a.Weight != prompts.TextWeight || want.Pole() != prompts.PoleManagement {
		t.Errorf("got weight %v and %s, want %v and management (the test's words)", a.Weight, want.Phrase(), prompts.TextWeight)
	}
	s.eventually("the prompt to show the written answer", func() bool {
		m := s.message("UA", d.TS)
		got := readAsPhrases(m)
		return len(got) == 1 && got[0] == want.Phrase() && strings.Contains(m.Text, "outweigh")
	})
	s.eventually("the confirmation", func() bool { return countDMs(s, "UA", "recorded as a written answer") == 1 })
	s.settle()
	if n := countDMs(s, "UA", "Hi! I'm Reflect"); n != helpBefore {
		t.Errorf("got %d help messages, want %d: a reply to an open prompt is an answer", n, helpBefore)
	}
	if open, err := s.store.OpenDeliveries(context.Background(), "UA", 5); err != nil || len(open) != 0 {
		t.Errorf("got open deliveries %v (%v), want none after the answer", open, err)
	}

	// Deleting the DM takes the answer back and brings the buttons back.
	s.emu.DeleteDM("UA", ts)
	s.eventually("the deletion", func() bool { return len(s.answers("UA")) == before })
	s.eventually("the buttons to come back", func() bool {
		return strings.Contains(s.message("UA", d.TS).Text, "Your reflection for this week")
	})

	// Typing an option's label counts as tapping it.
	label := p.Options[len(p.Options)-1].Label
	wantOpt, err := s.cat.ReadOption(p, len(p.Options)-1)
	if err != nil {
		t.Fatal(err)
	}
	s.emu.SendDM("UA", "  "+strings.ToUpper(label)+". ")
	s.eventually("the option typed", func() bool {
		as := s.answers("UA")
		return len(as) > before && as[0].OptionIndex != nil && *as[0].OptionIndex == len(p.Options)-1 &&
			as[0].Lean == wantOpt.Lean && as[0].Weight == wantOpt.Weight
	})
	s.settle()

	// Nothing open now: the same kind of words get the help.
	helpBefore = countDMs(s, "UA", "Hi! I'm Reflect")
	s.emu.SendDM("UA", text)
	s.eventually("the help", func() bool { return countDMs(s, "UA", "Hi! I'm Reflect") == helpBefore+1 })
}

// countDMs counts the bot's DMs to user whose text contains sub.
func countDMs(s *sim, user, sub string) int {
	n := 0
	for _, m := range s.botDMs(user) {
		if strings.Contains(m.Text, sub) {
			n++
		}
	}
	return n
}
