package mirror

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackapp/slacktest"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// actionIDs lists every action_id in a message, in order.
func actionIDs(t *testing.T, m slackapp.Message) (ids, values []string) {
	t.Helper()
	b, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &blocks); err != nil {
		t.Fatal(err)
	}
	for _, bl := range blocks {
		for _, e := range bl.Elements {
			if e.ActionID != "" {
				ids, values = append(ids, e.ActionID), append(values, e.Value)
			}
		}
	}
	return ids, values
}

func TestAskMessage(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	march := report.Month{Year: 2026, Month: 3}
	base := ask{ChannelID: "CTEAM", Lead: "ULEAD", Period: march, Questions: cat.MirrorSet(monthIndex(march), Questions), Threshold: 5,
		State: db.MirrorState{Answered: map[string]bool{}}}
	answered := base
	answered.State = db.MirrorState{Asked: true, Answered: map[string]bool{base.Questions[0].Prompt.ID: true}}
	done := base
	done.State = db.MirrorState{Asked: true, Answered: map[string]bool{}}
	for _, q := range base.Questions {
		done.State.Answered[q.Prompt.ID] = true
	}
	closed := base
	closed.Closed = true
	skipped := base
	skipped.State = db.MirrorState{Asked: true, Skipped: true}
	stopped := base
	stopped.Stopped = true
	for _, tt := range []struct {
		name    string
		a       ask
		buttons int // answer buttons
	}{
		{"mirror_ask", base, 12},
		{"mirror_ask_one_answered", answered, 8},
		{"mirror_ask_done", done, 0},
		{"mirror_ask_closed", closed, 0},
		{"mirror_ask_skipped", skipped, 0},
		{"mirror_ask_stopped", stopped, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := AskMessage("/reflect", tt.a)
			testkit.Golden(t, tt.name, m)
			slacktest.CheckLimits(t, m)
			ids, values := actionIDs(t, m)
			seen := map[string]bool{}
			answers := 0
			for i, id := range ids {
				if seen[id] {
					t.Errorf("action_id %q twice in one message", id)
				}
				seen[id] = true
				v, err := slackapp.ParseActionValue(values[i])
				if err != nil {
					t.Errorf("%s: value %q does not parse: %v", id, values[i], err)
				}
				if strings.HasPrefix(id, actionAnswer+":") {
					answers++
					if ch, p, err := target(v); err != nil || ch != "CTEAM" || p != march {
						t.Errorf("%s: value names %s %v (%v), want CTEAM March", id, ch, p, err)
					}
				}
			}
			if answers != tt.buttons {
				t.Errorf("got %d answer buttons, want %d", answers, tt.buttons)
			}
			if tt.buttons > 0 && !strings.Contains(m.Blocks[0].(*slackapp.SectionBlock).Text.Text, "counted without your name") {
				t.Error("the ask does not tell the member how their answers are kept")
			}
		})
	}
}

func TestLeadBlocks(t *testing.T) {
	v := report.MirrorView{Respondents: 6, Shown: true, Score: 0.05, Headline: "balanced (+0.05)"}
	testkit.Golden(t, "mirror_summary", slackapp.Message{Text: "summary", Blocks: SummaryBlocks("leaning management (−0.30)",
		[]ChannelView{{ChannelID: "CTEAM", View: v}}, 5)})
	testkit.Golden(t, "mirror_summary_two_channels", slackapp.Message{Text: "summary", Blocks: SummaryBlocks("",
		[]ChannelView{{ChannelID: "CA", View: v}, {ChannelID: "CB", View: v}}, 5)})
	testkit.Golden(t, "mirror_home", slackapp.Message{Text: "home", Blocks: HomeBlocks([]string{"CA", "CB"}, map[string]bool{"CB": true},
		"March 2026: You: leaning management (−0.30). Your team sees: balanced (+0.05), from 6 people", true, 5)})
	for _, tt := range []struct {
		why  int
		lead string
		want string
	}{
		{refusedInDM, "", "only works in a channel"},
		{refusedNotOptedIn, "", "isn't opted in"},
		{refusedNotLead, "ULEAD", "Only the channel's lead, <@ULEAD>"},
		{refusedNotLead, "", "has no lead now"},
	} {
		m := refusalMessage("/reflect", tt.why, tt.lead)
		if !strings.Contains(m.Text, tt.want) || !strings.Contains(m.Text, "Nothing changed") {
			t.Errorf("refusal %d: %q, want %q and that nothing changed", tt.why, m.Text, tt.want)
		}
	}
}
