package app

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// optionsIn returns the option indices of the buttons in m's blocks whose id starts with
// blockID (prompt_answers on a posted prompt, answered_options on an answered one), in the order
// shown.
func optionsIn(t *testing.T, m slackemu.Message, blockID string) []int {
	t.Helper()
	var blocks []struct {
		BlockID  string `json:"block_id"`
		Elements []struct {
			Value string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, b := range blocks {
		if !strings.HasPrefix(b.BlockID, blockID) {
			continue
		}
		for _, e := range b.Elements {
			v, err := slackapp.ParseActionValue(e.Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v.Option)
		}
	}
	return out
}

// TestE2EOptionOrder: a one-tap prompt is posted in the person's counterbalanced order, and a tap
// on the first button records the option it shows, not option 0.
func TestE2EOptionOrder(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	reversed := false
	for range 20 {
		s.command("UA", "prompt")
		s.settle()
		d, p := s.openDelivery("UA")
		if p.Kind == prompts.Text {
			s.answerAny("UA", d, p)
			continue
		}
		var posted slackemu.Message
		for _, m := range s.botDMs("UA") {
			if m.TS == d.TS {
				posted = m
			}
		}
		want := s.cat.OptionOrder("UA", p)
		got := optionsIn(t, posted, "prompt_answers")
		if !slices.Equal(got, want) {
			t.Fatalf("%s: got buttons for options %v, want the person's order %v", p.ID, got, want)
		}
		before := len(s.answers("UA"))
		if err := s.emu.Click("UA", d.ChannelID, d.TS, actionAnswer+":"+itoa(want[0])); err != nil {
			t.Fatal(err)
		}
		s.eventually("the answer", func() bool { return len(s.answers("UA")) > before })
		s.settle()
		a := s.answers("UA")[0]
		if a.PromptID != p.ID || a.OptionIndex == nil || *a.OptionIndex != want[0] {
			t.Fatalf("got answer %+v, want option %d of %s, the first shown", a, want[0], p.ID)
		}
		if want[0] != 0 {
			reversed = true
			break
		}
	}
	if !reversed {
		t.Error("no prompt in 20 showed its options other than in catalogue order, want the order to alternate")
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
