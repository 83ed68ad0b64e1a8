package prompts

import (
	"fmt"
	"strings"
	"unicode"
)

// TextWeight is the weight of a free-text answer against a chosen option's 1: a few words matched by
// stems say less about a person's practice than a deliberate choice on a scale (PRODUCT §3).
const TextWeight = 0.5

// maxWords caps Reading.Words so an explanation stays one short line.
const maxWords = 8

// The poles a Reading can have, as Pole returns them.
const (
	PoleLeadership = "leadership"
	PoleManagement = "management"
	PoleNeutral    = "neutral"
	PoleWellbeing  = "wellbeing"
)

// Reading is how one answer was read.
type Reading struct {
	// Lean is in [-1, 1]: option lean / 2, or (L−M)/(L+M) over lexicon hits for text; 0 for answers
	// that carry no lean (wellbeing and shared options, text with no hits).
	Lean float64
	// Weight is 1 for a chosen option that carries a lean, TextWeight for free text with at least one
	// lexicon hit, and 0 when nothing was read (no hits, or an option of a theme with no lean), so
	// such answers never pull a period's lean toward zero.
	Weight float64
	// Wellbeing is in [-1, 1] (option wellbeing / 2) for options of wellbeing prompts, else nil.
	Wellbeing *float64
	// Words are the words of the answer that decided it (free text: the lower-cased words that
	// matched a stem, in order of appearance, deduplicated, at most 8), or the chosen option's label.
	Words []string
}

// ReadOption reads the option at index of p. It fails for text prompts and an index out of range.
// Options of lean dimensions are read as lean / 2 at weight 1; wellbeing options as wellbeing / 2
// with no lean; shared options, which carry no lean, at weight 0.
func (c *Catalogue) ReadOption(p Prompt, index int) (Reading, error) {
	if p.Kind == Text {
		return Reading{}, fmt.Errorf("read option of prompt %q: it is a text prompt with no options", p.ID)
	}
	if index < 0 || index >= len(p.Options) {
		return Reading{}, fmt.Errorf("read option of prompt %q: index %d out of range (it has %d options)", p.ID, index, len(p.Options))
	}
	o := p.Options[index]
	r := Reading{Words: []string{o.Label}}
	switch {
	case p.Dimension == Wellbeing:
		if o.Wellbeing != nil {
			w := float64(*o.Wellbeing) / 2
			r.Wellbeing = &w
		}
	case p.Dimension.IsLean() && o.Lean != nil:
		r.Lean = float64(*o.Lean) / 2
		r.Weight = 1
	}
	return r, nil
}

// ReadText reads a free-text answer with the catalogue's lexicon: the text is split into words (runs
// of letters, digits and apostrophes, lower-cased), a word is a leadership (management) hit when it
// starts with a leadership (management) stem, and each distinct word counts at most once per pole,
// so repeating a word does not repeat its weight. Lean is (L−M)/(L+M), 0 with weight 0 when nothing
// matched. The lexicon decides on every prompt, including wellbeing and shared ones, so free text
// never carries a wellbeing value.
func (c *Catalogue) ReadText(p Prompt, text string) Reading {
	var lead, manage int
	var words []string
	counted := make(map[string]bool)
	for _, w := range splitWords(text) {
		if counted[w.shown] {
			continue
		}
		counted[w.shown] = true
		l := matchesAny(w.match, c.Lexicon.Leadership)
		m := matchesAny(w.match, c.Lexicon.Management)
		if l {
			lead++
		}
		if m {
			manage++
		}
		if (l || m) && len(words) < maxWords {
			words = append(words, w.shown)
		}
	}
	if lead+manage == 0 {
		return Reading{}
	}
	return Reading{
		Lean:   float64(lead-manage) / float64(lead+manage),
		Weight: TextWeight,
		Words:  words,
	}
}

func matchesAny(word string, stems []string) bool {
	for _, s := range stems {
		if strings.HasPrefix(word, s) {
			return true
		}
	}
	return false
}

// word is one word of an answer: shown as it appears (lower-cased) and matched in a normalised form
// where typographic apostrophes, which Slack clients often type, become ASCII ones.
type word struct{ shown, match string }

// isWordRune reports whether r can be part of a word: letters, digits and apostrophes (so "team's"
// and "don't" stay whole).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || isApostrophe(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// splitWords lower-cases text and splits it on anything that cannot be part of a word. Apostrophes
// at either end of a word are quotes, not part of it, and are trimmed.
func splitWords(text string) []word {
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !isWordRune(r) })
	words := make([]word, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimFunc(f, isApostrophe)
		if f == "" {
			continue
		}
		words = append(words, word{
			shown: f,
			match: strings.Map(func(r rune) rune {
				if isApostrophe(r) {
					return '\''
				}
				return r
			}, f),
		})
	}
	return words
}

// Pole returns "leadership", "management", "neutral" or "wellbeing". A wellbeing reading is
// "wellbeing"; otherwise the lean decides with the same thresholds as a period's Label, so one answer
// and a month are described alike; a reading with no weight is "neutral".
func (r Reading) Pole() string {
	if r.Wellbeing != nil {
		return PoleWellbeing
	}
	if r.Weight <= 0 {
		return PoleNeutral
	}
	switch Label(r.Lean) {
	case LabelLeadership:
		return PoleLeadership
	case LabelManagement:
		return PoleManagement
	}
	return PoleNeutral
}

// Phrase returns exactly one of "read as leadership", "read as management", "read as neutral" or
// "read as wellbeing" (PRODUCT §4: the confirmation carries exactly one of them).
func (r Reading) Phrase() string { return "read as " + r.Pole() }

// Explain returns a short sentence with Phrase and the words that decided it, e.g.
// `read as leadership — because of “mentor”, “vision”` for text or
// `read as management — you chose “Keep the plan”` for an option. A chosen option is recognised by
// its Words holding the label with a weight other than TextWeight; free text with no hits has no
// Words.
func (r Reading) Explain() string {
	phrase := r.Phrase()
	quoted := make([]string, len(r.Words))
	for i, w := range r.Words {
		quoted[i] = "“" + w + "”"
	}
	list := strings.Join(quoted, ", ")
	switch {
	case len(r.Words) == 0:
		return phrase + " — no leadership or management words found"
	case r.Weight != TextWeight:
		return phrase + " — you chose " + list
	case r.Pole() == PoleNeutral:
		return phrase + " — " + list + " balance out"
	}
	return phrase + " — because of " + list
}
