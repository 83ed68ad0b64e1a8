package prompts

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	assets "github.com/reflect-bot/reflect"
)

// FuzzParse feeds arbitrary bytes to the catalogue loader: it must never panic, and whatever it
// accepts must survive a round trip through its own marshalled form.
func FuzzParse(f *testing.F) {
	f.Add(assets.PromptsJSON)
	f.Add([]byte(`{"version": 1, "lexicon": {"leadership": ["vision"], "management": ["plan"]},
		"prompts": [{"id": "a", "dimension": "horizon", "kind": "text", "section": "s", "text": "t"}]}`))
	f.Add([]byte(`{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
		"prompts": [{"id": "c", "dimension": "change", "kind": "choice", "section": "s", "text": "t",
		"options": [{"label": "a", "lean": 1}, {"label": "b", "lean": "high"}]}]}`))
	f.Add([]byte(`{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
		"prompts": [{"id": "w", "dimension": "wellbeing", "kind": "scale", "section": "s", "text": "t",
		"options": [{"label": "1", "wellbeing": -2}, {"label": "2", "wellbeing": -1}, {"label": "3", "wellbeing": 0},
		{"label": "4", "wellbeing": 1}, {"label": "5", "wellbeing": 2}]}], "assessment": [7]}`))
	f.Add([]byte(`{"version": 1, "lexicon": {"leadership": ["vision", "long term", "kpi*"], "management": ["plan"],
		"exceptions": ["planet", "took the coach"]},
		"prompts": [{"id": "a", "dimension": "horizon", "kind": "text", "section": "s", "text": "t"}]}`))
	f.Add([]byte(`{"version": 1, "lexicon": {"leadership": ["a- b"], "management": ["*"], "exceptions": "x"},
		"prompts": [{"id": "a", "dimension": "horizon", "kind": "text", "section": "s", "text": "t"}]}`))
	f.Add(mirrorDoc(`[{"id": "m", "dimension": "people", "kind": "choice", "section": "s", "text": "t",
		"options": [{"label": "a", "lean": 2}, {"label": "Not sure", "lean": -2}]}]`))
	f.Add(mirrorDoc(`[{"id": "m", "dimension": "people", "kind": "scale", "section": "s", "text": "t",
		"options": [{"label": "a", "lean": -2}, {"label": "b", "lean": -1}, {"label": "c", "lean": 0}, {"label": "d", "lean": 1}, {"label": "e", "lean": 2}]}]`))
	f.Add(mirrorDoc(`{}`))
	f.Add([]byte("\xEF\xBB\xBF{"))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if c != nil {
				t.Fatalf("got a catalogue and error %v, want only the error", err)
			}
			return
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal accepted catalogue: %v", err)
		}
		c2, err := Parse(again)
		if err != nil {
			t.Fatalf("re-parse of own marshalled form: %v\n%s", err, again)
		}
		if len(c2.Mirror) != len(c.Mirror) || len(c.Mirror) == 0 {
			t.Fatalf("round trip: got %d mirror questions, want %d (and at least one)", len(c2.Mirror), len(c.Mirror))
		}
		for _, p := range c.Mirror {
			if _, ok := c.MirrorItem(p.ID); !ok {
				t.Fatalf("MirrorItem(%q): got ok=false for a parsed question", p.ID)
			}
			for _, q := range c.MirrorSet(len(p.ID), 3) {
				if len(q.Order()) != len(q.Prompt.Options) {
					t.Fatalf("MirrorSet order of %q drops options", q.Prompt.ID)
				}
			}
		}
		if len(c2.Prompts) != len(c.Prompts) || len(c2.Assessment) != len(c.Assessment) {
			t.Fatalf("round trip: got %d+%d prompts, want %d+%d", len(c2.Prompts), len(c2.Assessment), len(c.Prompts), len(c.Assessment))
		}
		for _, p := range append(c.Prompts, c.Assessment...) {
			if _, ok := c.Prompt(p.ID); !ok {
				t.Fatalf("Prompt(%q): got ok=false for a parsed prompt", p.ID)
			}
		}
		// Whatever lexicon was accepted must read any answer, the catalogue's own text included.
		if r := c.ReadText(c.Prompts[0], string(data)); r.Lean <= -1 || r.Lean >= 1 {
			t.Fatalf("lean of the file read as an answer: got %v, want inside (-1, 1)", r.Lean)
		}
		if _, ok := c.NextPrompt("U1", nil); !ok {
			t.Fatal("NextPrompt on an accepted catalogue: got ok=false, want a prompt")
		}
	})
}

// FuzzReadText feeds arbitrary answers to the lexicon reader: it must never panic, the lean stays
// in [−1, 1], and every word it reports is a word of the input.
func FuzzReadText(f *testing.F) {
	c, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "I mentored Sam and planned the sprint", "VISION—plan/task", "the team’s 'vision'",
		"İstanbul ÉQUIPE straße", "\xff\xfeplan", "''''", "plan plan plan plan plan plan plan plan plan vision",
		"I didn't set a vision, but we planned the sprint", "never stopped coaching", "not only the budget",
		"long-term, why it matters", "we took the coach to the planet", "no time for — coaching", "’n’t n’t",
		"- - -", "instead of", "didn't", "no", "vision*", "let go of rather than",
	} {
		f.Add(s, "What small experiment could your team run next week?")
	}
	f.Fuzz(func(t *testing.T, text, prompt string) {
		p := Prompt{ID: "t", Dimension: Horizon, Kind: Text, Text: prompt}
		r := c.ReadText(p, text)
		if math.IsNaN(r.Lean) || r.Lean <= -1 || r.Lean >= 1 {
			t.Fatalf("lean: got %v, want it strictly inside (-1, 1)", r.Lean)
		}
		if r.Weight != 0 && r.Weight != TextWeight {
			t.Fatalf("weight: got %v, want 0 or %v", r.Weight, TextWeight)
		}
		if (r.Weight == 0) != (len(r.Words) == 0) {
			t.Fatalf("got weight %v with words %q, want words exactly when something was read", r.Weight, r.Words)
		}
		if len(r.Words) > maxWords {
			t.Fatalf("got %d words, want at most %d", len(r.Words), maxWords)
		}
		lower := strings.ToLower(text)
		seen := map[string]bool{}
		for _, w := range r.Words {
			if w == "" || !strings.Contains(lower, w) || !utf8.ValidString(w) {
				t.Fatalf("word %q: want a non-empty word of the input %q", w, text)
			}
			if seen[w] {
				t.Fatalf("word %q listed twice", w)
			}
			seen[w] = true
		}
		for _, list := range [][]Word{r.Leadership, r.Management, r.Negated, r.Echoed} {
			if len(list) > maxWords {
				t.Fatalf("got %d words in a list, want at most %d", len(list), maxWords)
			}
			for _, w := range list {
				if w.Text == "" || !strings.Contains(lower, w.Text) || (w.Pole != PoleLeadership && w.Pole != PoleManagement) {
					t.Fatalf("word %+v: want a word of the input %q with a pole", w, text)
				}
			}
		}
		if len(r.Management) == 0 && len(r.Leadership) > 0 && r.Lean <= 0 || len(r.Leadership) == 0 && len(r.Management) > 0 && r.Lean >= 0 {
			t.Fatalf("got lean %v from leadership words %v and management words %v", r.Lean, r.Leadership, r.Management)
		}
		if !r.Text {
			t.Fatal("text: got false, want true")
		}
		if n := strings.Count(r.Explain(), "read as "); n != 1 {
			t.Fatalf("explain %q: got %d read-as phrases, want 1", r.Explain(), n)
		}
		if r.Wellbeing != nil {
			t.Fatalf("wellbeing: got %v, want nil for text", *r.Wellbeing)
		}
		if ph := r.Phrase(); ph != "read as leadership" && ph != "read as management" && ph != "read as neutral" {
			t.Fatalf("phrase: got %q", ph)
		}
	})
}
