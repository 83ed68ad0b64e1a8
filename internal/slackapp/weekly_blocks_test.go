package slackapp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
)

func lean(n int) *int { return &n }

var (
	scalePrompt = prompts.Prompt{ID: "direction-test", Dimension: prompts.Direction, Kind: prompts.Scale,
		Section: "Direction & planning", Text: "This week, did you paint the <big> picture or plan the steps?",
		Options: []prompts.Option{
			{Label: "All plan", Lean: lean(-2)}, {Label: "Mostly plan", Lean: lean(-1)}, {Label: "Both", Lean: lean(0)},
			{Label: "Mostly picture", Lean: lean(1)}, {Label: "All picture", Lean: lean(2)},
		}}
	textPrompt = prompts.Prompt{ID: "people-test", Dimension: prompts.People, Kind: prompts.Text,
		Section: "Developing people", Text: "Who did you help grow this week, and how?"}
	wellbeingPrompt = prompts.Prompt{ID: "wellbeing-test", Dimension: prompts.Wellbeing, Kind: prompts.Choice,
		Section: "Work-life balance", Text: "How many hours did you work?",
		Options: []prompts.Option{{Label: "Under 40", Wellbeing: lean(2)}, {Label: "Over 50", Wellbeing: lean(-1)}}}
)

func TestWeeklyBlocksGolden(t *testing.T) {
	wb := 0.5
	strained := -1.0
	tests := []struct {
		name string
		msg  Message
	}{
		{"prompt_scale", PromptMessage(db.KindPrompt, 12, scalePrompt, nil)},
		{"prompt_text", PromptMessage(db.KindPrompt, 13, textPrompt, nil)},
		{"prompt_wellbeing", PromptMessage(db.KindWellbeing, 12, wellbeingPrompt, nil)},
		{"reminder_text", PromptMessage(db.KindReminder, 13, textPrompt, nil)},
		{"answered_option", AnsweredOptionMessage(12, scalePrompt, nil, 4, prompts.Reading{Lean: 1, Weight: 1, Words: []string{"All picture"}})},
		{"answered_text_escaped", AnsweredMessage(textPrompt, "I <@U1> mentored & coached, no budget talk",
			prompts.Reading{Text: true, Lean: 2.0 / 3, Weight: prompts.TextWeight, Words: []string{"mentored", "coached"},
				Leadership: []prompts.Word{{Text: "mentored", Pole: prompts.PoleLeadership}, {Text: "coached", Pole: prompts.PoleLeadership}},
				Negated:    []prompts.Word{{Text: "budget", Pole: prompts.PoleManagement}}}, changeByEdit)},
		{"answered_text_outweigh", AnsweredMessage(textPrompt, "Budget and sprint work, coached one person",
			prompts.Reading{Text: true, Lean: -0.25, Weight: prompts.TextWeight, Words: []string{"budget", "sprint", "coached"},
				Management: []prompts.Word{{Text: "budget", Pole: prompts.PoleManagement}, {Text: "sprint", Pole: prompts.PoleManagement}},
				Leadership: []prompts.Word{{Text: "coached", Pole: prompts.PoleLeadership}}}, changeNone)},
		{"answered_text_nothing", AnsweredMessage(textPrompt, "A quiet week", prompts.Reading{Text: true}, changeByEdit)},
		{"answered_wellbeing", AnsweredOptionMessage(12, wellbeingPrompt, []int{1, 0}, 0, prompts.Reading{Wellbeing: &wb, Words: []string{"Under 40"}})},
		{"answered_wellbeing_support", WithSupport(AnsweredOptionMessage(12, wellbeingPrompt, nil, 1, prompts.Reading{Wellbeing: &strained, Words: []string{"Over 50"}}),
			"If work is weighing on you, talk to someone you trust. https://example.com/support")},
		{"skipped", SkippedMessage(scalePrompt)},
		{"continue", ContinueMessage()},
		{"history_empty", HistoryMessage(nil, nil, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { golden(t, tt.name, tt.msg) })
	}
}

func TestAnsweredMessageHasExactlyOnePhrase(t *testing.T) {
	wb := -0.5
	tests := []struct {
		name string
		r    prompts.Reading
		want string
	}{
		{"leadership", prompts.Reading{Lean: 0.5, Weight: 1, Words: []string{"x"}}, "read as leadership"},
		{"management", prompts.Reading{Lean: -1, Weight: 1, Words: []string{"x"}}, "read as management"},
		{"neutral", prompts.Reading{}, "read as neutral"},
		{"wellbeing", prompts.Reading{Wellbeing: &wb, Words: []string{"x"}}, "read as wellbeing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := AnsweredMessage(textPrompt, "read as leadership, says my answer", tt.r, changeByEdit)
			for _, phrase := range []string{"read as leadership", "read as management", "read as neutral", "read as wellbeing"} {
				// The person's own words are quoted; the reading itself must be the only phrase
				// in the text that notifies them.
				if got := strings.Count(m.Text, phrase); (phrase == tt.want) != (got == 1) {
					t.Errorf("got %d × %q in %q, want exactly one %q and no other", got, phrase, m.Text, tt.want)
				}
			}
		})
	}
}

func TestAnswerModalFitsSlackLimits(t *testing.T) {
	v := AnswerModal(12, textPrompt)
	if len(v.Title) > 24 || len(v.Submit) > 24 || len(v.Close) > 24 {
		t.Errorf("got title %q submit %q close %q, want each at most 24 characters", v.Title, v.Submit, v.Close)
	}
	got, err := ParseActionValue(v.PrivateMetadata)
	if err != nil || got.DeliveryID != 12 || got.PromptID != textPrompt.ID {
		t.Errorf("got metadata %q → %+v, %v; want delivery 12 and the prompt id", v.PrivateMetadata, got, err)
	}
}

func TestResultsBlocksGolden(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
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

	var scored []prompts.Scored
	for _, it := range cat.Assessment {
		r, err := cat.ReadOption(it, len(it.Options)-1)
		if err != nil {
			t.Fatal(err)
		}
		scored = append(scored, prompts.Scored{Dimension: it.Dimension, Reading: r})
	}
	sum := prompts.Summarise(scored)
	tests := []struct {
		name string
		msg  Message
	}{
		{"summary_full", SummaryMessage(full)},
		{"summary_empty", SummaryMessage(empty)},
		{"assessment_result", AssessmentResultMessage(sum, suggestion(scored, at))},
		{"assessment_invite", AssessmentInvite()},
		{"home_enrolled", Message{Text: "home", Blocks: HomeBlocks(HomeState{Enrolled: true, Next: "Monday 16 March at 09:00 (UTC)", Month: full, ChartID: "F0123"})}},
		{"home_new", Message{Text: "home", Blocks: HomeBlocks(HomeState{Month: empty})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { golden(t, tt.name, tt.msg) })
	}
	if first, _, _ := strings.Cut(SummaryMessage(full).Text, "\n"); first != full.FirstLine {
		t.Errorf("got first line %q, want %q", first, full.FirstLine)
	}
}

// TestAssessmentModalOrder: the form shows each item's options in the person's order, lean items
// alternating which end comes first, and every radio keeps its option's index as its value.
func TestAssessmentModalOrder(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	orders := cat.AssessmentOrders("U1")
	v := AssessmentModal(cat.Assessment, orders)
	first, last := 0, 0
	for _, it := range cat.Assessment {
		var got []int
		for _, b := range v.Blocks {
			in, ok := b.(*slack.InputBlock)
			if !ok || in.BlockID != it.ID {
				continue
			}
			for _, o := range in.Element.(*slack.RadioButtonsBlockElement).Options {
				i, err := strconv.Atoi(o.Value)
				if err != nil || o.Text.Text != truncate(it.Options[i].Label, maxButtonText) {
					t.Fatalf("%s: radio %q labelled %q, want its option's label", it.ID, o.Value, o.Text.Text)
				}
				got = append(got, i)
			}
		}
		if !slices.Equal(got, orders[it.ID]) {
			t.Errorf("%s: got options %v, want %v", it.ID, got, orders[it.ID])
		}
		if it.Dimension.IsLean() && len(got) > 1 && it.Options[got[0]].Lean != nil && it.Options[got[len(got)-1]].Lean != nil {
			if *it.Options[got[0]].Lean > *it.Options[got[len(got)-1]].Lean {
				first++
			} else {
				last++
			}
		}
	}
	if d := first - last; d > 1 || d < -1 {
		t.Errorf("got %d lean items leadership-first and %d last, want them alternating", first, last)
	}
}

func TestAssessmentModal(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := AssessmentModal(cat.Assessment, nil)
	if len(v.Blocks) > 100 {
		t.Errorf("got %d blocks, want at most 100 in a modal", len(v.Blocks))
	}
	golden(t, "assessment_modal", Message{Text: v.Title, Blocks: v.Blocks})
	tests := []struct {
		name   string
		values map[string]map[string]string
		want   int // errors
	}{
		{"nothing", nil, len(cat.Assessment)},
		{"all", assessmentValues(cat, "leadership"), 0},
		{"out of range", func() map[string]map[string]string {
			v := assessmentValues(cat, "leadership")
			v[cat.Assessment[0].ID] = map[string]string{cat.Assessment[0].ID: "9"}
			return v
		}(), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(assessmentErrors(cat.Assessment, tt.values)); got != tt.want {
				t.Errorf("got %d errors, want %d", got, tt.want)
			}
		})
	}
}

// TestPromptMessageOptionOrder pins that the buttons follow the order given and that each still
// names its option by index: a tap on the first button of a reversed scale records the leadership
// end, not option 0.
func TestPromptMessageOptionOrder(t *testing.T) {
	tests := []struct {
		name  string
		order []int
		want  []int
	}{
		{"catalogue order", nil, []int{0, 1, 2, 3, 4}},
		{"leadership end first", []int{4, 3, 2, 1, 0}, []int{4, 3, 2, 1, 0}},
		{"a short order is ignored", []int{1}, []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := PromptMessage(db.KindPrompt, 12, scalePrompt, tt.order)
			var got []int
			for _, b := range msg.Blocks {
				ab, ok := b.(*slack.ActionBlock)
				if !ok || ab.BlockID != "prompt_answers" {
					continue
				}
				for k, el := range ab.Elements.ElementSet {
					btn := el.(*slack.ButtonBlockElement)
					v, err := ParseActionValue(btn.Value)
					if err != nil {
						t.Fatal(err)
					}
					if want := fmt.Sprintf("%s:%d", actionAnswer, v.Option); btn.ActionID != want {
						t.Errorf("button %d: got action id %q, want %q", k, btn.ActionID, want)
					}
					if btn.Text.Text != scalePrompt.Options[v.Option].Label {
						t.Errorf("button %d: got label %q for option %d, want %q", k, btn.Text.Text, v.Option, scalePrompt.Options[v.Option].Label)
					}
					got = append(got, v.Option)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got options %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWhenText: a moment shown to a person is a Slack date token (their zone and their 12/24-hour
// clock, as Slack knows them), with a fallback in their zone and the zone named.
func TestWhenText(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC) // 09:00 BST
	want := "<!date^1774857600^{date_long_pretty} at {time}|Monday 30 March at 09:00> (Europe/London)"
	if got := whenText(at, london); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
