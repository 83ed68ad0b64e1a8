package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// TestE2EChangeTappedAnswer: an answered one-tap prompt keeps its options in the person's order
// with the chosen one marked, and a tap on another replaces the stored answer and its reading; the
// message says so only because it is true.
func TestE2EChangeTappedAnswer(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	var d db.Delivery
	var p prompts.Prompt
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("no one-tap prompt in 20")
		}
		s.command("UA", "prompt")
		s.settle()
		d, p = s.openDelivery("UA")
		if p.Kind != prompts.Text && len(p.Options) >= 2 {
			break
		}
		s.answerAny("UA", d, p)
	}
	order := s.cat.OptionOrder("UA", p)
	first, second := order[0], order[len(order)-1]
	tap := func(action string, option int) {
		t.Helper()
		if err := s.emu.Click("UA", d.ChannelID, d.TS, action+":"+itoa(option)); err != nil {
			t.Fatal(err)
		}
	}
	answerIs := func(option int) func() bool {
		return func() bool {
			as := s.answers("UA")
			return len(as) > 0 && as[0].PromptID == p.ID && as[0].OptionIndex != nil && *as[0].OptionIndex == option
		}
	}
	shows := func(option int) func() bool {
		want, _ := s.cat.ReadOption(p, option)
		return func() bool {
			m := s.message("UA", d.TS)
			got := readAsPhrases(m)
			return len(got) == 1 && got[0] == want.Phrase() && strings.Contains(m.Text, want.Explain()[len(want.Phrase()):]) &&
				strings.Contains(string(m.Blocks), "✓ "+jsonText(p.Options[option].Label))
		}
	}
	tap(actionAnswer, first)
	s.eventually("the first answer", answerIs(first))
	s.eventually("the message to mark the first option", shows(first))
	m := s.message("UA", d.TS)
	if got := optionsIn(t, m, "answered_options"); len(got) != len(order) {
		t.Fatalf("got options %v on the answered message, want all of %v: %s", got, order, m.Blocks)
	}
	for i, o := range optionsIn(t, m, "answered_options") {
		if o != order[i] {
			t.Fatalf("got options %v on the answered message, want the person's order %v", optionsIn(t, m, "answered_options"), order)
		}
	}
	if !strings.Contains(string(m.Blocks), "Tap another option") {
		t.Errorf("got %s, want the note on changing a tapped answer", m.Blocks)
	}

	before := len(s.answers("UA"))
	tap(actionChange, second)
	s.eventually("the answer replaced", answerIs(second))
	s.eventually("the message to mark the second option", shows(second))
	if got := len(s.answers("UA")); got != before {
		t.Errorf("got %d answers after changing one, want %d (replaced, not added)", got, before)
	}
	if strings.Contains(string(s.message("UA", d.TS).Blocks), "✓ "+jsonText(p.Options[first].Label)) {
		t.Error("the first option is still marked after choosing another")
	}
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
