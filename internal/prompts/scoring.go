package prompts

import (
	"fmt"
	"strings"
	"unicode"
)

// TextWeight is the weight of a free-text answer against a chosen option's 1: a few words matched by
// stems say less about a person's practice than a deliberate choice on a scale.
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
	// Lean is in [-1, 1]: option lean / 2, or (L−M)/(L+M+1) over the lexicon words counted in free
	// text; 0 for answers that carry no lean (wellbeing and shared options, text with nothing
	// counted).
	Lean float64
	// Weight is 1 for a chosen option that carries a lean, TextWeight for free text with at least one
	// word counted, and 0 when nothing was read (nothing counted, or an option of a theme with no
	// lean), so such answers never pull a period's lean toward zero.
	Weight float64
	// Wellbeing is in [-1, 1] (option wellbeing / 2) for options of wellbeing prompts, else nil.
	Wellbeing *float64
	// Words are the words of the answer that decided it (free text: the lower-cased words and
	// phrases that counted, in order of appearance, deduplicated, at most 8), or the chosen option's
	// label.
	Words []string
	// Text is set for free text, which Explain describes word by word.
	Text bool
	// Leadership and Management are the free-text words that counted for each pole; Negated the
	// ones a negation removed ("did not set a *vision*"); Echoed the ones that only repeat the
	// prompt's own words. Each holds at most 8.
	Leadership, Management, Negated, Echoed []Word
}

// Word is a lexicon word or phrase as it appeared in an answer, with the pole it belongs to.
type Word struct {
	Text string // lower-cased, as written
	Pole string // PoleLeadership or PoleManagement
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

// ReadText reads a free-text answer to p with the catalogue's lexicon (see README, "How answers
// are read"): it finds the lexicon's whole words (with their endings), start-of-word stems and
// phrases, drops those a negation in the same clause governs and those that also appear in the
// prompt's own text, and counts each remaining entry once. Lean is (L−M)/(L+M+1), so one word reads
// ±0.5 and a word of each pole reads as balanced; nothing counted gives 0 with weight 0. The
// lexicon decides on every prompt, including wellbeing and shared ones, so free text never carries
// a wellbeing value.
func (c *Catalogue) ReadText(p Prompt, text string) Reading {
	return c.compiled().read(p.Text, text)
}

// compiled is the catalogue's lexicon ready for reading.
func (c *Catalogue) compiled() *matcher {
	if c.matcher == nil {
		return compile(c.Lexicon) // a catalogue built in code rather than parsed
	}
	return c.matcher
}

// isWordRune reports whether r can be part of a word: letters, digits and apostrophes (so "team's"
// and "don't" stay whole).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || isApostrophe(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

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
// "read as wellbeing": the confirmation of an answer carries exactly one of them.
func (r Reading) Phrase() string { return "read as " + r.Pole() }

// Explain returns a short sentence with Phrase and the words that decided it. For free text it
// names the words of each pole separately and what did not count, e.g.
// `read as management: “budget”, “sprint” (management) outweigh “coached” (leadership)` or
// `read as neutral: no leadership or management words counted; not counted: “vision” (leadership,
// negated)`; for an option, `read as management — you chose “Keep the plan”`, and for a wellbeing
// option where the choice sits, `read as wellbeing, on the strained side — you chose “41 to 50”`.
func (r Reading) Explain() string {
	phrase := r.Phrase()
	if !r.Text && len(r.Leadership)+len(r.Management)+len(r.Negated)+len(r.Echoed) == 0 {
		switch {
		case len(r.Words) == 0:
			return phrase + ": no leadership or management words found"
		case r.Weight == TextWeight: // free text described by its words alone
			return phrase + ": because of " + quoteAll(r.Words)
		}
		if r.Wellbeing != nil {
			phrase += ", " + WellbeingSide(*r.Wellbeing)
		}
		return phrase + " — you chose " + quoteAll(r.Words)
	}
	lead, manage := wordsOf(r.Leadership), wordsOf(r.Management)
	var main string
	switch {
	case len(lead)+len(manage) == 0:
		main = "no leadership or management words found"
		if len(r.Negated)+len(r.Echoed) > 0 {
			main = "no leadership or management words counted"
		}
	case len(manage) == 0:
		main = quoteAll(lead) + " (leadership)"
	case len(lead) == 0:
		main = quoteAll(manage) + " (management)"
	case r.Pole() == PoleLeadership:
		main = quoteAll(lead) + " (leadership) outweigh " + quoteAll(manage) + " (management)"
	case r.Pole() == PoleManagement:
		main = quoteAll(manage) + " (management) outweigh " + quoteAll(lead) + " (leadership)"
	default:
		main = quoteAll(lead) + " (leadership) and " + quoteAll(manage) + " (management) balance out"
	}
	var skipped []string
	for _, w := range r.Negated {
		skipped = append(skipped, quoteAll([]string{w.Text})+" ("+w.Pole+", negated)")
	}
	for _, w := range r.Echoed {
		skipped = append(skipped, quoteAll([]string{w.Text})+" ("+w.Pole+", from the question)")
	}
	if len(skipped) > 0 {
		main += "; not counted: " + strings.Join(skipped, ", ")
	}
	return phrase + ": " + main
}

func wordsOf(ws []Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return out
}

// maxShownRunes caps each word an explanation quotes: a stem ending in * can match a word of any
// length, and the explanation must stay one short line.
const maxShownRunes = 40

func quoteAll(ws []string) string {
	quoted := make([]string, len(ws))
	for i, w := range ws {
		if r := []rune(w); len(r) > maxShownRunes {
			w = string(r[:maxShownRunes-1]) + "…"
		}
		quoted[i] = "“" + w + "”"
	}
	return strings.Join(quoted, ", ")
}
