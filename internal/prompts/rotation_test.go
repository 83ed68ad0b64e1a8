package prompts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// weeks runs n weeks of deliveries the way the product does: each week the main prompt, then the
// wellbeing check, both appended to the one delivery history. It returns the main prompts and the
// checks in order.
func weeks(t *testing.T, c *Catalogue, person string, history []string, n int) (main, checks []Prompt) {
	t.Helper()
	asked := slices.Clone(history)
	for range n {
		p, ok := c.NextPrompt(person, asked)
		if !ok {
			t.Fatalf("NextPrompt after %d asks: got ok=false, want a prompt", len(asked))
		}
		asked = append(asked, p.ID)
		main = append(main, p)
		if w, ok := c.WellbeingCheck(asked); ok {
			asked = append(asked, w.ID)
			checks = append(checks, w)
		}
	}
	return main, checks
}

func TestNextPromptBuiltinYear(t *testing.T) {
	c := builtin(t)
	var pool int
	for _, p := range c.Prompts {
		if p.Dimension != Wellbeing {
			pool++
		}
	}
	for _, person := range []string{"U1", "U2", "UOTHER"} {
		main, _ := weeks(t, c, person, nil, 3*pool)
		t.Run(person+": no repeat until the rotation is used up, round after round", func(t *testing.T) {
			for round := range 3 {
				seen := map[string]bool{}
				for _, p := range main[round*pool : (round+1)*pool] {
					if seen[p.ID] {
						t.Fatalf("round %d: got %q twice, want each rotation prompt once", round+1, p.ID)
					}
					if p.Dimension == Wellbeing {
						t.Fatalf("round %d: got wellbeing prompt %q in the main rotation", round+1, p.ID)
					}
					seen[p.ID] = true
				}
			}
			if pool < 52 {
				t.Errorf("got %d rotation prompts, want at least 52 for a year without a repeat", pool)
			}
		})
		t.Run(person+": the weeks follow the plan", func(t *testing.T) {
			seq := c.Plan(person).Sequence()
			for i, p := range main {
				if want := seq[i%len(seq)]; p.ID != want.ID {
					t.Fatalf("week %d: got %q, want the plan's %q", i+1, p.ID, want.ID)
				}
			}
		})
	}
}

func TestPlanBuiltinBlocks(t *testing.T) {
	c := builtin(t)
	orders := map[string]bool{}
	for i := range 40 {
		person := fmt.Sprintf("U%03d", i)
		plan := c.Plan(person)
		if len(plan.Blocks) < 8 {
			t.Fatalf("%s: got %d blocks, want at least 8", person, len(plan.Blocks))
		}
		var firstDims []Dimension
		for b, blk := range plan.Blocks {
			dims := map[Dimension]int{}
			shared, first, last := 0, 0, 0
			for k, p := range blk {
				dims[p.Dimension]++
				if p.Dimension == Shared {
					shared++
				}
				if k > 0 && p.Kind == Text && blk[k-1].Kind == Text {
					t.Errorf("%s block %d: text prompts %q and %q side by side, want the kinds interleaved", person, b, blk[k-1].ID, p.ID)
				}
				if hasLeanEnds(p) {
					if plan.LeadershipFirst(p.ID) {
						first++
					} else {
						last++
					}
				}
			}
			for _, d := range LeanDimensions() {
				if dims[d] != 1 {
					t.Errorf("%s block %d: got %d %s prompts, want exactly one of each lean dimension", person, b, dims[d], d)
				}
			}
			if shared != 1 {
				t.Errorf("%s block %d: got %d shared prompts, want one woven into each block", person, b, shared)
			}
			if first-last > 1 || last-first > 1 {
				t.Errorf("%s block %d: got %d prompts leadership-first and %d leadership-last, want them balanced", person, b, first, last)
			}
			for _, p := range blk {
				if p.Dimension.IsLean() {
					firstDims = append(firstDims, p.Dimension)
					break
				}
			}
		}
		orders[fmt.Sprint(firstDims)] = true
		seq := plan.Sequence()
		for i := 1; i < len(seq); i++ {
			if seq[i].Kind == Text && seq[i-1].Kind == Text {
				t.Errorf("%s weeks %d and %d: text prompts %q and %q in a row, want the kinds interleaved", person, i, i+1, seq[i-1].ID, seq[i].ID)
			}
		}
		for b, blk := range plan.Blocks {
			texts := 0
			for _, p := range blk {
				if p.Kind == Text {
					texts++
				}
			}
			if texts > len(blk)/2 {
				t.Errorf("%s block %d: got %d text prompts of %d, want the texts spread over the year", person, b, texts, len(blk))
			}
		}
	}
	if len(orders) < 30 {
		t.Errorf("got %d distinct block orders for 40 people, want the order varied per person", len(orders))
	}
	if a, b := c.Plan("U1").Sequence(), c.Plan("U1").Sequence(); !slices.EqualFunc(a, b, func(x, y Prompt) bool { return x.ID == y.ID }) {
		t.Error("two plans for the same person differ, want a deterministic plan")
	}
}

func TestWellbeingCheckBuiltinRotates(t *testing.T) {
	c := builtin(t)
	var oneTap []string
	for _, p := range c.Prompts {
		if p.Dimension == Wellbeing && p.Kind != Text {
			oneTap = append(oneTap, p.ID)
		}
	}
	if len(oneTap) < 2 {
		t.Fatalf("got %d one-tap wellbeing prompts, want several to rotate", len(oneTap))
	}
	_, checks := weeks(t, c, "U1", nil, 2*len(oneTap))
	for i, p := range checks {
		if want := oneTap[i%len(oneTap)]; p.ID != want {
			t.Errorf("week %d: got check %q, want %q", i+1, p.ID, want)
		}
	}
}

// testCatalogue builds a catalogue from "dimension:id" or "dimension:id:kind" entries. It is built
// directly, without Parse, so rotation is tested on its own.
func testCatalogue(entries ...string) *Catalogue {
	c := &Catalogue{index: map[string]Prompt{}}
	for _, e := range entries {
		parts := strings.Split(e, ":")
		p := Prompt{ID: parts[1], Dimension: Dimension(parts[0]), Kind: Text}
		if len(parts) > 2 {
			p.Kind = Kind(parts[2])
		}
		c.Prompts = append(c.Prompts, p)
		c.index[p.ID] = p
	}
	return c
}

func TestNextPrompt(t *testing.T) {
	ids := func(ps []Prompt) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.ID
		}
		return out
	}
	tests := []struct {
		name    string
		c       *Catalogue
		history []string
		weeks   int
		check   func(t *testing.T, c *Catalogue, got []string)
	}{
		{
			name: "one prompt repeats every week", c: testCatalogue("culture:only"), weeks: 3,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				if !slices.Equal(got, []string{"only", "only", "only"}) {
					t.Errorf("got %q, want only thrice", got)
				}
			},
		},
		{
			name: "one wellbeing prompt still works", c: testCatalogue("wellbeing:calm:choice"), weeks: 2,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				if !slices.Equal(got, []string{"calm", "calm"}) {
					t.Errorf("got %q, want calm twice", got)
				}
			},
		},
		{
			name: "a wellbeing-only catalogue rotates through all of it",
			c:    testCatalogue("wellbeing:w1:scale", "wellbeing:w2:text"), weeks: 4,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				if got[0] == got[1] || got[0] != got[2] || got[1] != got[3] {
					t.Errorf("got %q, want the two prompts alternating", got)
				}
			},
		},
		{
			name: "every block covers the dimensions the catalogue has, shared woven in",
			c: testCatalogue("shared:s1", "horizon:h1", "horizon:h2", "people:p1", "people:p2:scale",
				"direction:d1:choice", "direction:d2", "shared:s2"), weeks: 12,
			check: func(t *testing.T, c *Catalogue, got []string) {
				for i := 0; i < 12; i += 4 {
					dims := map[Dimension]int{}
					for _, id := range got[i : i+4] {
						p, _ := c.Prompt(id)
						dims[p.Dimension]++
					}
					if dims[Horizon] != 1 || dims[People] != 1 || dims[Direction] != 1 || dims[Shared] != 1 {
						t.Errorf("weeks %d..%d: got %v, want one each of direction, people, horizon and shared", i+1, i+4, dims)
					}
				}
			},
		},
		{
			name:  "a dimension used up gives way: shorter blocks at the end of the round",
			c:     testCatalogue("direction:d1", "direction:d2", "direction:d3", "change:c1"),
			weeks: 8,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				first := slices.Clone(got[:4])
				slices.Sort(first)
				if !slices.Equal(first, []string{"c1", "d1", "d2", "d3"}) {
					t.Errorf("got a round of %q, want each prompt once", got[:4])
				}
				if got[0] != "c1" && got[1] != "c1" {
					t.Errorf("got %q, want change in the first block", got[:2])
				}
			},
		},
		{
			name:    "continues after the last prompt asked, along the plan",
			c:       testCatalogue("direction:d1", "culture:cu1", "people:p1", "people:p2"),
			history: nil, weeks: 4,
			check: func(t *testing.T, c *Catalogue, got []string) {
				seq := ids(c.Plan("U1").Sequence())
				if !slices.Equal(got, seq) {
					t.Errorf("got %q, want the plan %q", got, seq)
				}
				// Starting from the plan's third prompt picks up at its fourth.
				next, _ := c.NextPrompt("U1", []string{seq[2]})
				if next.ID != seq[3] {
					t.Errorf("after %q: got %q, want %q", seq[2], next.ID, seq[3])
				}
			},
		},
		{
			name:    "unknown and wellbeing ids in the history are ignored",
			c:       testCatalogue("direction:d1", "change:c1", "wellbeing:w1:choice"),
			history: []string{"retired-prompt", "c1", "w1", "gone-too"}, weeks: 3,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				if !slices.Equal(got, []string{"d1", "c1", "d1"}) && !slices.Equal(got, []string{"d1", "d1", "c1"}) {
					t.Errorf("got %q, want d1 first (c1 was just asked)", got)
				}
				if got[0] != "d1" {
					t.Errorf("got %q first, want d1", got[0])
				}
			},
		},
		{
			name:    "a prompt added later is asked before anything repeats",
			c:       testCatalogue("direction:d1", "change:c1", "change:c2"),
			history: []string{"d1", "c1", "d1", "c1"}, weeks: 1,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				if got[0] != "c2" {
					t.Errorf("got %q, want the new c2", got[0])
				}
			},
		},
		{
			name:    "a new round never opens with the prompt just asked",
			c:       testCatalogue("direction:d1", "direction:d2", "direction:d3"),
			history: []string{"d1", "d2", "d3"}, weeks: 1,
			check: func(t *testing.T, _ *Catalogue, got []string) {
				if got[0] == "d3" {
					t.Errorf("got %q, want anything but the prompt just asked", got[0])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := slices.Clone(tt.history)
			var got []string
			for range tt.weeks {
				p, ok := tt.c.NextPrompt("U1", asked)
				if !ok {
					t.Fatalf("after %q: got ok=false, want a prompt", asked)
				}
				got = append(got, p.ID)
				asked = append(asked, p.ID)
			}
			tt.check(t, tt.c, got)
		})
	}
}

func TestNextPromptEmptyCatalogue(t *testing.T) {
	if p, ok := (&Catalogue{}).NextPrompt("U1", nil); ok {
		t.Errorf("got %q, want ok=false", p.ID)
	}
}

func TestOptionOrder(t *testing.T) {
	c := builtin(t)
	lean := func(p Prompt, i int) int { return *p.Options[i].Lean }
	for _, person := range []string{"U1", "U2"} {
		plan := c.Plan(person)
		for _, p := range plan.Sequence() {
			if !hasLeanEnds(p) {
				continue
			}
			order := c.OptionOrder(person, p)
			if len(order) != len(p.Options) {
				t.Fatalf("%s %s: got order %v, want every option once", person, p.ID, order)
			}
			first, last := lean(p, order[0]), lean(p, order[len(order)-1])
			if plan.LeadershipFirst(p.ID) != (first > last) {
				t.Errorf("%s %s: got leans %d first and %d last, want leadership first = %v", person, p.ID, first, last, plan.LeadershipFirst(p.ID))
			}
			if again := c.OptionOrder(person, p); !slices.Equal(again, order) {
				t.Errorf("%s %s: got %v then %v, want a stable order", person, p.ID, order, again)
			}
		}
	}
	// An option without a value stays last whichever way the scale runs.
	two, zero := 2, 0
	p := Prompt{ID: "x", Dimension: Culture, Kind: Choice, Options: []Option{{Label: "b", Lean: &two}, {Label: "not sure"}, {Label: "a", Lean: &zero}}}
	if got := orderOptions(p, false); !slices.Equal(got, []int{2, 0, 1}) {
		t.Errorf("got %v, want [2 0 1]", got)
	}
	if got := orderOptions(p, true); !slices.Equal(got, []int{0, 2, 1}) {
		t.Errorf("got %v, want [0 2 1]", got)
	}
}

func TestWellbeingCheck(t *testing.T) {
	c := testCatalogue("direction:d1", "wellbeing:w1:scale", "wellbeing:wt:text", "wellbeing:w2:choice")
	tests := []struct {
		name    string
		c       *Catalogue
		history []string
		want    string
		wantOK  bool
	}{
		{"first check", c, nil, "w1", true},
		{"least asked first", c, []string{"d1", "w1"}, "w2", true},
		{"ties by catalogue order", c, []string{"w1", "w2"}, "w1", true},
		{"counts every ask", c, []string{"w2", "w1", "w1", "w2", "w1"}, "w2", true},
		{"text wellbeing is never a one-tap check", testCatalogue("wellbeing:wt:text"), nil, "", false},
		{"no wellbeing prompts", testCatalogue("direction:d1"), nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.WellbeingCheck(tt.history)
			if ok != tt.wantOK || got.ID != tt.want {
				t.Errorf("got %q, %v, want %q, %v", got.ID, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestPlanAnyCatalogue checks the rotation's shape on catalogues of many sizes and mixes: every
// prompt once per round; each block holds at most one prompt per lean dimension, and every
// dimension that still has prompts at that block; no two text prompts in a row where the block had
// taps to put between them.
func TestPlanAnyCatalogue(t *testing.T) {
	dims := append(LeanDimensions(), Shared)
	for size := 1; size <= 60; size += 3 {
		for variant := range 3 {
			var entries []string
			perDim := map[Dimension]int{}
			for i := range size {
				d := dims[(i*(variant+1)+i/7)%len(dims)]
				if variant == 2 && d == Horizon {
					d = Direction // a catalogue without horizon
				}
				kind := "choice"
				if (i+variant)%3 == 0 {
					kind = "text"
				}
				entries = append(entries, fmt.Sprintf("%s:p%d:%s", d, i, kind))
				perDim[d]++
			}
			c := testCatalogue(entries...)
			name := fmt.Sprintf("%d prompts, variant %d", size, variant)
			t.Run(name, func(t *testing.T) {
				plan := c.Plan("U1")
				seq := plan.Sequence()
				seen := map[string]bool{}
				for _, p := range seq {
					if seen[p.ID] {
						t.Fatalf("got %q twice in a round", p.ID)
					}
					seen[p.ID] = true
				}
				if len(seen) != size {
					t.Fatalf("got %d prompts in the round, want all %d", len(seen), size)
				}
				for b, blk := range plan.Blocks {
					count := map[Dimension]int{}
					for _, p := range blk {
						count[p.Dimension]++
					}
					for _, d := range LeanDimensions() {
						if count[d] > 1 {
							t.Errorf("block %d: got %d %s prompts, want at most one", b, count[d], d)
						}
						if perDim[d] > b && count[d] == 0 && len(blk) > 0 && blk[0].Dimension.IsLean() {
							t.Errorf("block %d: no %s prompt though the dimension has %d", b, d, perDim[d])
						}
					}
				}
				// The first prompt of a round, asked again and again, follows the plan.
				if p, ok := c.NextPrompt("U1", nil); !ok || p.ID != seq[0].ID {
					t.Errorf("NextPrompt: got %q, want the plan's first %q", p.ID, seq[0].ID)
				}
			})
		}
	}
}
