package prompts

import (
	"errors"
	"strings"
	"testing"
)

// mirrorDoc is a minimal catalogue with the given mirror section (raw JSON, "" = none).
func mirrorDoc(mirror string) []byte {
	doc := `{"version": 1, "lexicon": {"leadership": ["vision"], "management": ["plan"]},
		"prompts": [{"id": "a", "dimension": "horizon", "kind": "text", "section": "s", "text": "t"}]`
	if mirror != "" {
		doc += `, "mirror": ` + mirror
	}
	return []byte(doc + "}")
}

// TestMirrorValidation: every rule of the mirror section, broken once, names the item and field.
func TestMirrorValidation(t *testing.T) {
	ok := `{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "What did your lead do?",
		"options": [{"label": "Helped me grow", "lean": 2}, {"label": "Checked my work", "lean": -2}]}`
	tests := []struct {
		name              string
		mirror            string
		wantPos, wantID   string
		wantField, wantIn string
	}{
		{"empty section", `[]`, "", "", "mirror", "at least one question"},
		{"wellbeing dimension", `[{"id": "m1", "dimension": "wellbeing", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "wellbeing": 1}, {"label": "b", "wellbeing": -1}]}]`, "mirror[0]", "m1", "dimension", "lean dimensions"},
		{"shared dimension", `[{"id": "m1", "dimension": "shared", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a"}, {"label": "b"}]}]`, "mirror[0]", "m1", "dimension", "lean dimensions"},
		{"text kind", `[{"id": "m1", "dimension": "people", "kind": "text", "section": "s", "text": "t"}]`, "mirror[0]", "m1", "kind", "one tap"},
		{"private", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t", "private": true,
			"options": [{"label": "a", "lean": 1}, {"label": "b", "lean": -1}]}]`, "mirror[0]", "m1", "private", "team's view"},
		{"no lean at all", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 0}, {"label": "b", "lean": 0}]}]`, "mirror[0]", "m1", "options", "no option leans"},
		{"not sure option", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 1}, {"label": " not sure ", "lean": 0}]}]`, "mirror[0]", "m1", "options[1].label", "offered with every"},
		{"missing lean", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 1}, {"label": "b"}]}]`, "mirror[0]", "m1", "options[1].lean", "is missing"},
		{"lean out of range", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 3}, {"label": "b", "lean": -1}]}]`, "mirror[0]", "m1", "options[0].lean", "outside"},
		{"bad id", `[{"id": "M 1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 1}, {"label": "b", "lean": -1}]}]`, "mirror[0]", "M 1", "id", "kebab-case"},
		{"empty text", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": " ",
			"options": [{"label": "a", "lean": 1}, {"label": "b", "lean": -1}]}]`, "mirror[0]", "m1", "text", "empty"},
		{"too many options", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 1}, {"label": "b", "lean": -1}, {"label": "c", "lean": 2}, {"label": "d", "lean": -2}, {"label": "e", "lean": 0}]}]`,
			"mirror[0]", "m1", "options", "2 to 4 options"},
		{"id used by a weekly prompt", `[{"id": "a", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "x", "lean": 1}, {"label": "y", "lean": -1}]}]`, "mirror[0]", "a", "id", "duplicate id, already used by prompts[0]"},
		{"duplicate within mirror", `[` + ok + `, ` + ok + `]`, "mirror[1]", "m1", "id", "duplicate id, already used by mirror[0]"},
		{"type error names the item", `[{"id": "m1", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": "high"}, {"label": "b", "lean": -1}]}]`, "mirror[0]", "m1", "options[0].lean", "whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(mirrorDoc(tt.mirror))
			if c != nil || err == nil {
				t.Fatalf("got a catalogue (err %v), want a validation error", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %T %v, want a *ValidationError", err, err)
			}
			if ve.Position != tt.wantPos || ve.PromptID != tt.wantID || ve.Field != tt.wantField {
				t.Errorf("got position %q id %q field %q, want %q %q %q (%v)", ve.Position, ve.PromptID, ve.Field,
					tt.wantPos, tt.wantID, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not say %q", err, tt.wantIn)
			}
		})
	}
	// The good item parses, and is a mirror item only.
	c, err := Parse(mirrorDoc(`[` + ok + `]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.MirrorItem("m1"); !ok || len(c.Mirror) != 1 {
		t.Errorf("mirror item m1 not found, mirror %v", c.Mirror)
	}
	if _, ok := c.Prompt("m1"); ok {
		t.Error("a mirror item is found among the weekly prompts, want it kept apart")
	}
}

// TestMirrorDefault: a catalogue without the section gets the built-in questions, which ask every
// contrast from both ends at least twice.
func TestMirrorDefault(t *testing.T) {
	c, err := Parse(mirrorDoc(""))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Mirror) == 0 || len(c.Mirror) != len(b.Mirror) {
		t.Fatalf("got %d default mirror questions, want the built-in %d", len(c.Mirror), len(b.Mirror))
	}
	for _, d := range LeanDimensions() {
		lead, mgmt := 0, 0
		for _, p := range b.Mirror {
			if p.Dimension != d {
				continue
			}
			for _, o := range p.Options {
				switch {
				case o.Lean != nil && *o.Lean > 0:
					lead++
				case o.Lean != nil && *o.Lean < 0:
					mgmt++
				}
			}
		}
		if lead < 2 || mgmt < 2 {
			t.Errorf("%s: %d leadership-end and %d management-end answers, want at least 2 of each", d, lead, mgmt)
		}
	}
}

// TestMirrorSet: a month asks three questions of three contrasts; two months cover all six; each
// contrast swaps which end comes first from one showing to the next, and moves to its next
// question; "both about equally" stays last.
func TestMirrorSet(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	firstEnd := map[Dimension][]bool{}
	asked := map[Dimension][]string{}
	for m := 24300; m < 24308; m++ {
		set := c.MirrorSet(m, 3)
		if len(set) != 3 {
			t.Fatalf("month %d: %d questions, want 3", m, len(set))
		}
		seen := map[Dimension]bool{}
		for _, q := range set {
			if seen[q.Prompt.Dimension] {
				t.Errorf("month %d asks %s twice", m, q.Prompt.Dimension)
			}
			seen[q.Prompt.Dimension] = true
			firstEnd[q.Prompt.Dimension] = append(firstEnd[q.Prompt.Dimension], q.LeadershipFirst)
			asked[q.Prompt.Dimension] = append(asked[q.Prompt.Dimension], q.Prompt.ID)
			order := q.Order()
			first := *q.Prompt.Options[order[0]].Lean
			if (first > 0) != q.LeadershipFirst || first == 0 {
				t.Errorf("month %d %s: first option leans %d, leadership first %v", m, q.Prompt.ID, first, q.LeadershipFirst)
			}
			if last := q.Prompt.Options[order[len(order)-1]].Lean; *last != 0 {
				t.Errorf("month %d %s: last option leans %d, want the even one last", m, q.Prompt.ID, *last)
			}
		}
		if again := c.MirrorSet(m, 3); again[0].Prompt.ID != set[0].Prompt.ID || again[2].LeadershipFirst != set[2].LeadershipFirst {
			t.Errorf("month %d: two calls differ", m)
		}
	}
	for _, d := range LeanDimensions() {
		ends := firstEnd[d]
		if len(ends) != 4 {
			t.Fatalf("%s asked %d times in 8 months, want 4", d, len(ends))
		}
		for i := 1; i < len(ends); i++ {
			if ends[i] == ends[i-1] {
				t.Errorf("%s: the same end first twice running: %v", d, ends)
			}
		}
		if asked[d][0] == asked[d][1] {
			t.Errorf("%s: the same question twice running: %v", d, asked[d])
		}
	}
}
