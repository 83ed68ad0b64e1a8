package weekly

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/testkit"
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
		msg  slackapp.Message
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
		// A delivery's one message: the prompt and its wellbeing check, each in its own state.
		{"delivery_open", DeliveryMessage(Delivery{ID: 12, Prompt: Question{Prompt: scalePrompt},
			Check: &Question{Prompt: wellbeingPrompt, Order: []int{1, 0}}})},
		{"delivery_check_answered", DeliveryMessage(Delivery{ID: 12, Prompt: Question{Prompt: scalePrompt},
			Check: &Question{Prompt: wellbeingPrompt, Order: []int{1, 0}, Answer: &Shown{Text: "Under 40", Option: 0, Change: changeByTap,
				Reading: prompts.Reading{Wellbeing: &wb, Words: []string{"Under 40"}}}}})},
		{"delivery_prompt_answered", DeliveryMessage(Delivery{ID: 12,
			Prompt: Question{Prompt: scalePrompt, Answer: &Shown{Text: "All picture", Option: 4, Change: changeByTap,
				Reading: prompts.Reading{Lean: 1, Weight: 1, Words: []string{"All picture"}}}},
			Check: &Question{Prompt: wellbeingPrompt}})},
		{"delivery_both_answered_support", DeliveryMessage(Delivery{ID: 13, Support: "If work is weighing on you, talk to someone you trust.",
			Prompt: Question{Prompt: textPrompt, Answer: &Shown{Text: "I coached Sam", Option: -1, Change: changeByEdit,
				Reading: prompts.Reading{Text: true, Lean: 1, Weight: prompts.TextWeight, Words: []string{"coached"},
					Leadership: []prompts.Word{{Text: "coached", Pole: prompts.PoleLeadership}}}}},
			Check: &Question{Prompt: wellbeingPrompt, Answer: &Shown{Text: "Over 50", Option: 1, Change: changeByTap,
				Reading: prompts.Reading{Wellbeing: &strained, Words: []string{"Over 50"}}}}})},
		{"delivery_skipped_check_open", DeliveryMessage(Delivery{ID: 12, Skipped: true, Prompt: Question{Prompt: scalePrompt},
			Check: &Question{Prompt: wellbeingPrompt}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testkit.Golden(t, tt.name, tt.msg) })
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
	got, err := slackapp.ParseActionValue(v.PrivateMetadata)
	if err != nil || got.DeliveryID != 12 || got.PromptID != textPrompt.ID {
		t.Errorf("got metadata %q → %+v, %v; want delivery 12 and the prompt id", v.PrivateMetadata, got, err)
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
				ab, ok := b.(*slackapp.ActionBlock)
				if !ok || ab.BlockID != "prompt_answers" {
					continue
				}
				for k, el := range ab.Elements.ElementSet {
					btn := el.(*slackapp.ButtonBlockElement)
					v, err := slackapp.ParseActionValue(btn.Value)
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

// TestDeliveryMessageHalves pins what each half of a delivery's message carries in every state:
// the prompt's buttons answer the prompt and the check's the check (each value names its question
// and the delivery), an answered half keeps its options as change buttons with the chosen one
// marked, the other half is left as it is, and ids stay unique in the message.
func TestDeliveryMessageHalves(t *testing.T) {
	wb, prompt := 0.5, prompts.Reading{Lean: 1, Weight: 1, Words: []string{"All picture"}}
	promptAnswer := &Shown{Text: "All picture", Option: 4, Change: changeByTap, Reading: prompt}
	checkAnswer := &Shown{Text: "Over 50", Option: 1, Change: changeByTap, Reading: prompts.Reading{Wellbeing: &wb, Words: []string{"Over 50"}}}
	type want struct {
		promptAction string // the action of the prompt's option buttons: answer, change or none
		checkAction  string // the same for the check's
		skipped      bool
	}
	tests := []struct {
		name string
		d    Delivery
		want want
	}{
		{"both open", Delivery{Prompt: Question{Prompt: scalePrompt}, Check: &Question{Prompt: wellbeingPrompt}},
			want{actionAnswer, actionCheck, false}},
		{"check answered", Delivery{Prompt: Question{Prompt: scalePrompt}, Check: &Question{Prompt: wellbeingPrompt, Answer: checkAnswer}},
			want{actionAnswer, actionCheckChange, false}},
		{"prompt answered", Delivery{Prompt: Question{Prompt: scalePrompt, Answer: promptAnswer}, Check: &Question{Prompt: wellbeingPrompt}},
			want{actionChange, actionCheck, false}},
		{"both answered", Delivery{Prompt: Question{Prompt: scalePrompt, Answer: promptAnswer}, Check: &Question{Prompt: wellbeingPrompt, Answer: checkAnswer}},
			want{actionChange, actionCheckChange, false}},
		{"skipped, check open", Delivery{Skipped: true, Prompt: Question{Prompt: scalePrompt}, Check: &Question{Prompt: wellbeingPrompt}},
			want{"", actionCheck, true}},
		{"no check", Delivery{Prompt: Question{Prompt: scalePrompt}}, want{actionAnswer, "", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.d.ID = 12
			m := DeliveryMessage(tt.d)
			if len(m.Blocks) > 50 {
				t.Fatalf("got %d blocks, want at most Slack's 50", len(m.Blocks))
			}
			blockIDs, actionIDs := map[string]bool{}, map[string]bool{}
			actions := map[string]string{} // prompt id → the action of its option buttons
			chosen := map[string]int{}     // prompt id → options marked chosen
			for _, b := range m.Blocks {
				id := blockID(b)
				if id == "" || blockIDs[id] {
					t.Errorf("block id %q is empty or repeated", id)
				}
				blockIDs[id] = true
				ab, ok := b.(*slackapp.ActionBlock)
				if !ok {
					continue
				}
				for _, el := range ab.Elements.ElementSet {
					btn := el.(*slackapp.ButtonBlockElement)
					if actionIDs[btn.ActionID] {
						t.Errorf("action id %q repeated", btn.ActionID)
					}
					actionIDs[btn.ActionID] = true
					v, err := slackapp.ParseActionValue(btn.Value)
					if err != nil || v.DeliveryID != 12 {
						t.Errorf("button %q: value %q (%v) does not name delivery 12", btn.ActionID, btn.Value, err)
					}
					if !v.HasOption {
						continue
					}
					action, _, _ := strings.Cut(btn.ActionID, ":")
					actions[v.PromptID] = action
					if strings.HasPrefix(btn.Text.Text, "✓ ") {
						chosen[v.PromptID]++
					}
				}
			}
			if got := actions[scalePrompt.ID]; got != tt.want.promptAction {
				t.Errorf("the prompt's option buttons: got action %q, want %q", got, tt.want.promptAction)
			}
			if got := actions[wellbeingPrompt.ID]; got != tt.want.checkAction {
				t.Errorf("the check's option buttons: got action %q, want %q", got, tt.want.checkAction)
			}
			for id, action := range map[string]string{scalePrompt.ID: tt.want.promptAction, wellbeingPrompt.ID: tt.want.checkAction} {
				answered := action == actionChange || action == actionCheckChange
				if (chosen[id] == 1) != answered || chosen[id] > 1 {
					t.Errorf("%s: %d options marked chosen, want one exactly when answered (%v)", id, chosen[id], answered)
				}
			}
			if got := strings.Contains(m.Text, "Skipped this week"); got != tt.want.skipped {
				t.Errorf("text %q: skipped shown %v, want %v", m.Text, got, tt.want.skipped)
			}
			if got, want := strings.Contains(m.Text, wellbeingPrompt.Text) || strings.Contains(m.Text, "read as wellbeing"), tt.d.Check != nil; got != want {
				t.Errorf("text %q: names the check %v, want %v", m.Text, got, want)
			}
		})
	}
}

// blockID is the id of a block of the kinds the weekly messages use.
func blockID(b slackapp.Block) string {
	switch b := b.(type) {
	case *slackapp.SectionBlock:
		return b.BlockID
	case *slackapp.ActionBlock:
		return b.BlockID
	case *slackapp.ContextBlock:
		return b.BlockID
	case *slackapp.DividerBlock:
		return b.BlockID
	}
	return ""
}

// AnsweredMessage is the prompt part of an answered message, as a message of its own for the
// golden tests: the question, the answer and how it was read.
// It holds exactly one "read as …" phrase. change says how to change the answer
// (changeByEdit or changeNone); a tapped answer uses AnsweredOptionMessage, which keeps the options.
func AnsweredMessage(p prompts.Prompt, answer string, r prompts.Reading, change string) slackapp.Message {
	return answeredPart(p, answer, r, change, promptIDs)
}
