package prompts

import (
	"strings"
	"testing"
)

func TestAudit(t *testing.T) {
	lean := func(n int) *int { return &n }
	c := testCatalogue("direction:d1:text", "change:c1:text", "shared:s1:text")
	c.Lexicon = Lexicon{Leadership: []string{"vision"}, Management: []string{"plan"}}
	c.Prompts[0].Text = "What vision did you share, and which plans followed?"
	c.Prompts = append(c.Prompts,
		Prompt{ID: "d2", Dimension: Direction, Kind: Choice, Text: "Pick one.",
			Options: []Option{{Label: "b", Lean: lean(2)}, {Label: "a", Lean: lean(-2)}}},
		Prompt{ID: "c2", Dimension: Change, Kind: Choice, Text: "Pick one.",
			Options: []Option{{Label: "a", Lean: lean(0)}, {Label: "b", Lean: lean(2)}}},
	)
	a := c.Audit()
	if len(a.Blocks) != 2 {
		t.Fatalf("got %d blocks, want 2: %+v", len(a.Blocks), a.Blocks)
	}
	for i, b := range a.Blocks {
		if b.Dimensions != 2 {
			t.Errorf("block %d: got %d dimensions, want direction and change", i, b.Dimensions)
		}
	}
	if a.LeadershipFirst != 1 || a.LeadershipLast != 0 {
		t.Errorf("got leadership first %d, last %d, want d2 counted first", a.LeadershipFirst, a.LeadershipLast)
	}
	if len(a.FixedEnds) != 1 || a.FixedEnds[0] != "c2" {
		t.Errorf("got fixed ends %q, want c2 (no management end)", a.FixedEnds)
	}
	if len(a.LexiconInTexts) != 1 || a.LexiconInTexts[0] != "d1: vision, plans" {
		t.Errorf("got %q, want d1's vision and plans", a.LexiconInTexts)
	}
	text := strings.Join(a.Lines(), "\n")
	for _, want := range []string{"rotation: 2 blocks, 0 cover all six", "block 1: 2 of 6", "cannot move", "c2", "d1: vision, plans"} {
		if !strings.Contains(text, want) {
			t.Errorf("Lines() lack %q:\n%s", want, text)
		}
	}
}

func TestAuditBuiltin(t *testing.T) {
	a := builtin(t).Audit()
	for i, b := range a.Blocks {
		if b.Dimensions != 6 || b.Repeated != 0 {
			t.Errorf("block %d: got %d dimensions (%d repeated), want all six once", i+1, b.Dimensions, b.Repeated)
		}
		if d := b.LeadershipFirst - b.LeadershipLast; d > 1 || d < -1 {
			t.Errorf("block %d: got %d first and %d last, want them balanced", i+1, b.LeadershipFirst, b.LeadershipLast)
		}
	}
	if len(a.FixedEnds) != 0 {
		t.Errorf("got option sets with a fixed leadership end %q, want none in the built-in catalogue", a.FixedEnds)
	}
}
