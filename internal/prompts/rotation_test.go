package prompts

import (
	"slices"
	"strings"
	"testing"
)

// weeks runs n weeks of deliveries the way the product does: each week the main prompt, then the
// wellbeing check, both appended to the one delivery history. It returns the main prompts and the
// checks in order.
func weeks(t *testing.T, c *Catalogue, history []string, n int) (main, checks []Prompt) {
	t.Helper()
	asked := slices.Clone(history)
	for range n {
		p, ok := c.NextPrompt(asked)
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
	main, _ := weeks(t, c, nil, 3*pool)

	t.Run("no repeat until the rotation is used up, round after round", func(t *testing.T) {
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

	t.Run("every six consecutive lean prompts cover the six dimensions", func(t *testing.T) {
		var lean []Dimension
		for _, p := range main {
			if p.Dimension.IsLean() {
				lean = append(lean, p.Dimension)
			}
		}
		for i := 0; i+6 <= len(lean); i++ {
			window := slices.Clone(lean[i : i+6])
			slices.Sort(window)
			if len(slices.Compact(window)) != 6 {
				t.Fatalf("lean prompts %d..%d: got dimensions %v, want all six", i, i+5, lean[i:i+6])
			}
		}
	})

	t.Run("a shared prompt takes one turn per cycle, after horizon", func(t *testing.T) {
		ring := rotationRing()
		for i, p := range main {
			if want := ring[i%len(ring)]; p.Dimension != want {
				t.Fatalf("week %d: got %s (%s), want %s", i+1, p.Dimension, p.ID, want)
			}
		}
	})
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
	_, checks := weeks(t, c, nil, 2*len(oneTap))
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
	tests := []struct {
		name    string
		c       *Catalogue
		history []string
		want    []string // the main prompts of the next weeks
	}{
		{
			name: "one prompt repeats every week",
			c:    testCatalogue("culture:only"),
			want: []string{"only", "only", "only"},
		},
		{
			name: "one wellbeing prompt still works",
			c:    testCatalogue("wellbeing:calm:choice"),
			want: []string{"calm", "calm"},
		},
		{
			name: "wellbeing-only catalogue rotates in catalogue order",
			c:    testCatalogue("wellbeing:w1:scale", "wellbeing:w2:text"),
			want: []string{"w1", "w2", "w1", "w2"},
		},
		{
			name: "full cycle: six dimensions then shared",
			c: testCatalogue("shared:s", "horizon:h", "adaptability:a", "people:p", "culture:cu",
				"change:ch", "direction:d"),
			want: []string{"d", "ch", "cu", "p", "a", "h", "s", "d", "ch"},
		},
		{
			name: "missing dimensions are skipped",
			c:    testCatalogue("direction:d1", "direction:d2", "horizon:h1"),
			want: []string{"d1", "h1", "d2", "h1", "d1", "d2"},
		},
		{
			name: "a dimension used up in this round gives way",
			c:    testCatalogue("direction:d1", "direction:d2", "change:c1"),
			want: []string{"d1", "c1", "d2", "c1", "d1", "d2"},
		},
		{
			name: "shared only takes its turn after horizon",
			c:    testCatalogue("shared:s1", "shared:s2", "direction:d1", "horizon:h1"),
			want: []string{"d1", "h1", "s1", "s2", "d1", "h1", "s1"},
		},
		{
			name:    "continues from the dimension of the last prompt asked",
			c:       testCatalogue("direction:d1", "culture:cu1", "people:p1", "people:p2"),
			history: []string{"cu1"},
			want:    []string{"p1", "d1", "p2", "d1"},
		},
		{
			name:    "unknown and wellbeing ids in the history are ignored",
			c:       testCatalogue("direction:d1", "change:c1", "wellbeing:w1:choice"),
			history: []string{"retired-prompt", "c1", "w1", "gone-too"},
			want:    []string{"d1", "c1", "d1"},
		},
		{
			name:    "a prompt added later is asked before anything repeats",
			c:       testCatalogue("direction:d1", "change:c1", "change:c2"),
			history: []string{"d1", "c1", "d1", "c1"},
			// c2 is then still the least-asked change prompt, so it comes round again first.
			want: []string{"c2", "d1", "c2", "c1", "d1"},
		},
		{
			name:    "a new prompt is not asked twice in a row",
			c:       testCatalogue("direction:d1", "direction:d2", "direction:d3"),
			history: []string{"d1", "d2", "d1", "d2"},
			want:    []string{"d3", "d1", "d3", "d2"},
		},
		{
			name:    "least-asked wins within the wanted dimension",
			c:       testCatalogue("direction:d1", "direction:d2", "direction:d3"),
			history: []string{"d1", "d1", "d2", "d3", "d3"},
			want:    []string{"d2", "d1", "d2", "d3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := slices.Clone(tt.history)
			var got []string
			for range tt.want {
				p, ok := tt.c.NextPrompt(asked)
				if !ok {
					t.Fatalf("after %q: got ok=false, want a prompt", asked)
				}
				got = append(got, p.ID)
				asked = append(asked, p.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNextPromptEmptyCatalogue(t *testing.T) {
	if p, ok := (&Catalogue{}).NextPrompt(nil); ok {
		t.Errorf("got %q, want ok=false", p.ID)
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
