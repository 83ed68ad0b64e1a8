package results

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/testkit"
)

func TestResultsBlocksGolden(t *testing.T) {
	at := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	wb := 0.5
	in := report.Input{Period: report.Month{Year: 2026, Month: time.March}, Loc: time.UTC}
	for i, d := range prompts.LeanDimensions() {
		in.Answers = append(in.Answers, report.Answer{At: at.AddDate(0, 0, -i), Dimension: d,
			Reading: prompts.Reading{Lean: float64(i%3-1) / 2, Weight: 1}})
	}
	in.Answers = append(in.Answers, report.Answer{At: at, Dimension: prompts.Wellbeing, Reading: prompts.Reading{Wellbeing: &wb}})
	in.Deliveries = []report.Delivery{{Occurrence: at, Answered: true}, {Occurrence: at.AddDate(0, 0, -7), Answered: false}}
	full := report.Build(in)
	empty := report.Build(report.Input{Period: report.Month{Year: 2026, Month: time.February}, Loc: time.UTC})

	tests := []struct {
		name string
		msg  slackapp.Message
	}{
		{"summary_full", SummaryMessage(full)},
		{"summary_empty", SummaryMessage(empty)},
		{"home_enrolled", slackapp.Message{Text: "home", Blocks: HomeBlocks(HomeState{AssessAction: "assess_open", Enrolled: true, Next: "Monday 16 March at 09:00 (UTC)", Month: full, ChartID: "F0123"})}},
		{"home_new", slackapp.Message{Text: "home", Blocks: HomeBlocks(HomeState{AssessAction: "assess_open", Month: empty})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testkit.Golden(t, tt.name, tt.msg) })
	}
	if first, _, _ := strings.Cut(SummaryMessage(full).Text, "\n"); first != full.FirstLine {
		t.Errorf("got first line %q, want %q", first, full.FirstLine)
	}
}

// TestHomeWithoutAssessment: a Home tab built without the assessment's action id has no button
// for it (Slack refuses a button without an action_id), and keeps the others.
func TestHomeWithoutAssessment(t *testing.T) {
	empty := report.Build(report.Input{Period: report.Month{Year: 2026, Month: time.February}, Loc: time.UTC})
	js, err := json.Marshal(slackapp.Message{Text: "home", Blocks: HomeBlocks(HomeState{Month: empty})})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(js); strings.Contains(s, "Take the assessment") || !strings.Contains(s, `"action_id":"home_start"`) {
		t.Errorf("got %s, want the start button and no assessment button", s)
	}
}
