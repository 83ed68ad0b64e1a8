package assess

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/testkit"
)

func TestAssessBlocksGolden(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
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
		msg  slackapp.Message
	}{
		{"assessment_result", AssessmentResultMessage(sum, suggestion(scored, at))},
		{"assessment_invite", AssessmentInvite()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testkit.Golden(t, tt.name, tt.msg) })
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
			in, ok := b.(*slackapp.InputBlock)
			if !ok || in.BlockID != it.ID {
				continue
			}
			for _, o := range in.Element.(*slackapp.RadioButtonsBlockElement).Options {
				i, err := strconv.Atoi(o.Value)
				if err != nil || o.Text.Text != slackapp.Truncate(it.Options[i].Label, slackapp.MaxButtonText) {
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
	testkit.Golden(t, "assessment_modal", slackapp.Message{Text: v.Title, Blocks: v.Blocks})
	tests := []struct {
		name   string
		values map[string]map[string]string
		want   int // errors
	}{
		{"nothing", nil, len(cat.Assessment)},
		{"all", testkit.AssessmentValues(cat, "leadership"), 0},
		{"out of range", func() map[string]map[string]string {
			v := testkit.AssessmentValues(cat, "leadership")
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
