package prompts

import (
	"slices"
	"strings"
	"testing"
)

// TestBuiltinSizeRules checks each built-in size rule on the built-in catalogue directly, so a
// rule is pinned here even if CheckBuiltinSize were to drift.
func TestBuiltinSizeRules(t *testing.T) {
	c := builtin(t)
	if err := CheckBuiltinSize(c); err != nil {
		t.Fatalf("CheckBuiltinSize: %v", err)
	}
	count := func(list []Prompt, keep func(Prompt) bool) int {
		n := 0
		for _, p := range list {
			if keep(p) {
				n++
			}
		}
		return n
	}
	type rule struct {
		name     string
		got      int
		min, max int
	}
	rules := []rule{
		{"weekly prompts", len(c.Prompts), 52, -1},
		{"weekly prompts outside wellbeing (a year without a repeat)",
			count(c.Prompts, func(p Prompt) bool { return p.Dimension != Wellbeing }), 52, -1},
		{"wellbeing prompts", count(c.Prompts, func(p Prompt) bool { return p.Dimension == Wellbeing }), 8, -1},
		{"one-tap wellbeing prompts", count(c.Prompts, func(p Prompt) bool { return p.Dimension == Wellbeing && p.Kind != Text }), 8, -1},
		{"shared prompts", count(c.Prompts, func(p Prompt) bool { return p.Dimension == Shared }), 4, -1},
		{"assessment items", len(c.Assessment), 12, 20},
	}
	for _, d := range LeanDimensions() {
		rules = append(rules,
			rule{string(d) + " prompts", count(c.Prompts, func(p Prompt) bool { return p.Dimension == d }), 6, -1},
			rule{string(d) + " text prompts", count(c.Prompts, func(p Prompt) bool { return p.Dimension == d && p.Kind == Text }), 2, -1},
			rule{string(d) + " assessment items", count(c.Assessment, func(p Prompt) bool { return p.Dimension == d }), 1, -1},
		)
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			if r.got < r.min || (r.max >= 0 && r.got > r.max) {
				t.Errorf("got %d, want at least %d (at most %d; -1 is no limit)", r.got, r.min, r.max)
			}
		})
	}
}

// TestBuiltinSelfChecks pins the article's five self-check questions to assessment items of the
// right theme.
func TestBuiltinSelfChecks(t *testing.T) {
	c := builtin(t)
	want := map[string]Dimension{
		"self-check-overtime":                       Wellbeing,
		"self-check-visionary-or-implementer":       Direction,
		"self-check-more-responsibility":            Wellbeing,
		"self-check-grow-leaders-or-show-how":       People,
		"self-check-delegate-without-micromanaging": Shared,
	}
	if got := SelfCheckIDs(); len(got) != len(want) {
		t.Fatalf("SelfCheckIDs: got %d ids, want %d", len(got), len(want))
	}
	for _, id := range SelfCheckIDs() {
		if !slices.ContainsFunc(c.Assessment, func(p Prompt) bool { return p.ID == id }) {
			t.Errorf("%s: not in the assessment", id)
			continue
		}
		p, _ := c.Prompt(id)
		if p.Dimension != want[id] {
			t.Errorf("%s: got dimension %s, want %s", id, p.Dimension, want[id])
		}
		if p.Kind == Text {
			t.Errorf("%s: got a text item, want one-tap (the assessment is scored from options)", id)
		}
	}
}

// TestBuiltinContent checks the content rules that validation leaves to the author: shared options
// say lean 0 explicitly, sections are article headings, texts are unique, and the article's figures
// reach the wellbeing and inclusion prompts.
func TestBuiltinContent(t *testing.T) {
	c := builtin(t)
	headings := []string{
		"Direction and planning", "Transformations and transactions", "Culture and systems",
		"People and skills", "Flexibility and stability", "The future and the now",
		"Leadership vs. management: essential skills", "Essential skills and qualities for managers",
		"Work-life balance", "Deciding whether leadership or management is right for you",
	}
	all := append(slices.Clone(c.Prompts), c.Assessment...)
	texts := map[string]string{}
	for _, p := range all {
		if !slices.Contains(headings, p.Section) {
			t.Errorf("%s: section %q is not one of the article headings", p.ID, p.Section)
		}
		if other, dup := texts[p.Text]; dup {
			t.Errorf("%s: same text as %s", p.ID, other)
		}
		texts[p.Text] = p.ID
		labels := map[string]bool{}
		for i, o := range p.Options {
			if labels[o.Label] {
				t.Errorf("%s: label %q appears twice", p.ID, o.Label)
			}
			labels[o.Label] = true
			if p.Dimension == Shared && (o.Lean == nil || *o.Lean != 0) {
				t.Errorf("%s: option %d: got lean %v, want an explicit 0", p.ID, i, o.Lean)
			}
		}
		if p.Dimension.IsLean() && p.Kind == Choice {
			// A choice should offer both poles, or it cannot tell them apart.
			var neg, pos bool
			for _, o := range p.Options {
				neg = neg || *o.Lean < 0
				pos = pos || *o.Lean > 0
			}
			if !neg || !pos {
				t.Errorf("%s: a lean choice should offer both a management and a leadership option", p.ID)
			}
		}
	}
	var wellbeingText, sharedText strings.Builder
	for _, p := range c.Prompts {
		switch p.Dimension {
		case Wellbeing:
			wellbeingText.WriteString(p.Text + "\n")
		case Shared:
			sharedText.WriteString(p.Text + "\n")
		}
	}
	for _, fig := range []string{"62.5", "40", "75%", "64%", "60%"} {
		if !strings.Contains(wellbeingText.String(), fig) {
			t.Errorf("wellbeing prompts: want the article's figure %q", fig)
		}
	}
	for _, fig := range []string{"three in four", "56%"} {
		if !strings.Contains(sharedText.String(), fig) {
			t.Errorf("shared prompts: want the article's figure %q", fig)
		}
	}
}

func TestCheckBuiltinSizeFails(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Catalogue)
		want string
	}{
		{"too few rotation prompts", func(c *Catalogue) { c.Prompts = c.Prompts[:50] }, "want at least 52"},
		{"a lean dimension short of prompts", func(c *Catalogue) {
			c.Prompts = dropWhere(c.Prompts, 3, func(p Prompt) bool { return p.Dimension == Culture })
			c.Prompts = append(c.Prompts, repeatAs(c.Prompts, Shared, 3)...)
		}, "culture prompts, want at least 6"},
		{"a lean dimension short of text prompts", func(c *Catalogue) {
			c.Prompts = dropWhere(c.Prompts, 2, func(p Prompt) bool { return p.Dimension == Horizon && p.Kind == Text })
			c.Prompts = append(c.Prompts, repeatAs(c.Prompts, Shared, 2)...)
		}, "horizon text prompts"},
		{"too few wellbeing prompts", func(c *Catalogue) {
			c.Prompts = dropWhere(c.Prompts, 3, func(p Prompt) bool { return p.Dimension == Wellbeing })
		}, "wellbeing prompts, want at least 8"},
		{"too few shared prompts", func(c *Catalogue) {
			c.Prompts = dropWhere(c.Prompts, 5, func(p Prompt) bool { return p.Dimension == Shared })
			c.Prompts = append(c.Prompts, repeatAs(c.Prompts, Direction, 5)...)
		}, "shared prompts, want at least 4"},
		{"assessment too short", func(c *Catalogue) { c.Assessment = c.Assessment[:11] }, "want 12 to 20"},
		{"assessment too long", func(c *Catalogue) {
			c.Assessment = append(c.Assessment, c.Assessment...)
		}, "want 12 to 20"},
		{"assessment misses a dimension", func(c *Catalogue) {
			c.Assessment = dropWhere(c.Assessment, -1, func(p Prompt) bool { return p.Dimension == Adaptability })
		}, "no adaptability item"},
		{"assessment misses a self-check", func(c *Catalogue) {
			c.Assessment = dropWhere(c.Assessment, 1, func(p Prompt) bool { return p.ID == "self-check-overtime" })
		}, `lacks self-check item "self-check-overtime"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := builtin(t)
			tt.edit(c)
			err := CheckBuiltinSize(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// dropWhere removes up to n prompts that match (all of them when n < 0).
func dropWhere(list []Prompt, n int, match func(Prompt) bool) []Prompt {
	var out []Prompt
	for _, p := range list {
		if match(p) && n != 0 {
			n--
			continue
		}
		out = append(out, p)
	}
	return out
}

// repeatAs returns n copies of prompts of dimension d, to keep the rotation size up while another
// rule is broken.
func repeatAs(list []Prompt, d Dimension, n int) []Prompt {
	var out []Prompt
	for _, p := range list {
		if len(out) == n {
			break
		}
		if p.Dimension == d {
			out = append(out, p)
		}
	}
	return out
}
