// Package prompts is the reflection catalogue: it loads and validates prompts.json (a public format
// that teams write themselves, so every error names the prompt and the field), chooses each person's
// next weekly prompt and wellbeing check, and reads answers as leaning toward leadership or
// management. It has no I/O beyond reading an override file and no Slack types.
package prompts

import (
	"fmt"
	"os"

	assets "github.com/reflect-bot/reflect"
)

// Dimension is the theme a prompt belongs to: one of the six lean dimensions of the framework, or
// one of the two themes that carry no lean (shared skills and wellbeing).
type Dimension string

// The eight dimensions, after the six contrasts the seed article draws between leading and managing,
// plus shared skills and wellbeing. The first six have a leadership (+) and a management (−) pole.
const (
	Direction    Dimension = "direction"
	Change       Dimension = "change"
	Culture      Dimension = "culture"
	People       Dimension = "people"
	Adaptability Dimension = "adaptability"
	Horizon      Dimension = "horizon"
	Shared       Dimension = "shared"
	Wellbeing    Dimension = "wellbeing"
)

// LeanDimensions lists the six lean dimensions in rotation order. It returns a fresh slice each call
// so callers may keep or modify it.
func LeanDimensions() []Dimension {
	return []Dimension{Direction, Change, Culture, People, Adaptability, Horizon}
}

// allDimensions lists every valid dimension: the lean ones in rotation order, then shared and
// wellbeing.
func allDimensions() []Dimension {
	return append(LeanDimensions(), Shared, Wellbeing)
}

// IsLean reports whether answers in d carry a lean, i.e. d is one of LeanDimensions.
func (d Dimension) IsLean() bool {
	switch d {
	case Direction, Change, Culture, People, Adaptability, Horizon:
		return true
	}
	return false
}

func (d Dimension) valid() bool { return d.IsLean() || d == Shared || d == Wellbeing }

// Kind is how a prompt is answered.
type Kind string

// The three kinds of prompt: Scale has exactly five ordered options, Choice two to four options, and
// Text takes a free answer and has no options.
const (
	Scale  Kind = "scale"
	Choice Kind = "choice"
	Text   Kind = "text"
)

func (k Kind) valid() bool { return k == Scale || k == Choice || k == Text }

// Option is one one-tap answer. Lean (−2 management … +2 leadership) is set on options of lean
// dimensions; Wellbeing (−2 strained … +2 sustainable) on options of wellbeing prompts; shared
// prompts' options carry lean 0 or none.
type Option struct {
	Label     string `json:"label"`
	Lean      *int   `json:"lean,omitempty"`
	Wellbeing *int   `json:"wellbeing,omitempty"`
}

// Prompt is one question of the catalogue, weekly or in the assessment.
type Prompt struct {
	ID        string    `json:"id"`
	Dimension Dimension `json:"dimension"`
	Kind      Kind      `json:"kind"`
	Section   string    `json:"section"`
	Text      string    `json:"text"`
	Options   []Option  `json:"options,omitempty"`
	// Private marks a prompt whose answers feed only the person's own results, never a team
	// figure (whether someone is seriously thinking of leaving, say).
	Private bool `json:"private,omitempty"`
}

// Lexicon holds the words that free-text answers are read with (README, "The prompt catalogue").
// An entry is a word, which also reads its endings ("plan": "plans", "planned", "planning"; the
// older stems such as "inspir" keep working for "inspire", "inspiring", "inspiration"), a stem
// ending in * that reads any word starting with it ("kpi*"), or a phrase of several words ("long
// term", "why it matters"). Exceptions are words and phrases that never count, whatever entry they
// look like ("planet", "took the coach"); the field is optional.
type Lexicon struct {
	Leadership []string `json:"leadership"`
	Management []string `json:"management"`
	Exceptions []string `json:"exceptions,omitempty"`
}

// Catalogue is a parsed, validated prompts.json. Build it with Parse, Builtin or Load and treat it as
// read-only: its lookup index is built once, at parse time.
type Catalogue struct {
	Version    int      `json:"version"`
	Lexicon    Lexicon  `json:"lexicon"`
	Prompts    []Prompt `json:"prompts"`
	Assessment []Prompt `json:"assessment"`

	index   map[string]Prompt
	matcher *matcher // the lexicon compiled at parse time
}

// Builtin parses the catalogue embedded in the binary (prompts.json at the repository root).
func Builtin() (*Catalogue, error) {
	c, err := parse(assets.PromptsJSON, "prompts.json")
	if err != nil {
		return nil, fmt.Errorf("parse built-in catalogue: %w", err)
	}
	return c, nil
}

// Load reads and parses the catalogue at path (PROMPTS_FILE), or returns Builtin when path is
// empty. Validation errors name the file as given.
func Load(path string) (*Catalogue, error) {
	if path == "" {
		return Builtin()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	return parse(data, path)
}

// Prompt looks id up among the weekly prompts and the assessment items.
func (c *Catalogue) Prompt(id string) (Prompt, bool) {
	p, ok := c.index[id]
	return p, ok
}

// Counts returns the number of weekly prompts per dimension (for `bot check`). Every dimension is
// present, with 0 when the catalogue has none, so a gap is visible rather than a missing key.
func (c *Catalogue) Counts() map[Dimension]int {
	counts := make(map[Dimension]int, len(allDimensions()))
	for _, d := range allDimensions() {
		counts[d] = 0
	}
	for _, p := range c.Prompts {
		counts[p.Dimension]++
	}
	return counts
}

// Size rules for the built-in catalogue: a year of weekly prompts without a repeat, every dimension
// well covered, an assessment of 12 to 20 items. Overrides need only one valid prompt.
const (
	minRotationPrompts  = 52 // a year of weekly prompts without a repeat
	minPerLeanDimension = 6
	minTextPerLean      = 2
	minWellbeing        = 8
	minShared           = 4
	minAssessment       = 12
	maxAssessment       = 20
)

// SelfCheckIDs returns the ids of the assessment items that ask the article's five self-check
// questions, in the article's order: overtime; visionary or implementer; whether now is the time
// for more responsibility; growing leaders or showing people hands-on; delegating without
// micromanaging. The built-in catalogue must carry all five (CheckBuiltinSize); naming them by id is
// what lets a test see that each question is there.
func SelfCheckIDs() []string {
	return []string{
		"self-check-overtime",
		"self-check-visionary-or-implementer",
		"self-check-more-responsibility",
		"self-check-grow-leaders-or-show-how",
		"self-check-delegate-without-micromanaging",
	}
}

// CheckBuiltinSize reports whether c meets the built-in size rules above, returning an error
// that names the first rule broken. "At least 52 weekly prompts (a year without a repeat)" is read
// as 52 prompts in the main rotation, i.e. not counting the wellbeing checks, which NextPrompt never
// picks while anything else is left.
func CheckBuiltinSize(c *Catalogue) error {
	counts := c.Counts()
	if rot := len(c.Prompts) - counts[Wellbeing]; rot < minRotationPrompts {
		return fmt.Errorf("catalogue size: %d weekly non-wellbeing prompts, want at least %d (a year without a repeat)", rot, minRotationPrompts)
	}
	texts := make(map[Dimension]int)
	for _, p := range c.Prompts {
		if p.Kind == Text {
			texts[p.Dimension]++
		}
	}
	for _, d := range LeanDimensions() {
		if counts[d] < minPerLeanDimension {
			return fmt.Errorf("catalogue size: %d %s prompts, want at least %d", counts[d], d, minPerLeanDimension)
		}
		if texts[d] < minTextPerLean {
			return fmt.Errorf("catalogue size: %d %s text prompts, want at least %d", texts[d], d, minTextPerLean)
		}
	}
	if counts[Wellbeing] < minWellbeing {
		return fmt.Errorf("catalogue size: %d wellbeing prompts, want at least %d", counts[Wellbeing], minWellbeing)
	}
	if counts[Shared] < minShared {
		return fmt.Errorf("catalogue size: %d shared prompts, want at least %d", counts[Shared], minShared)
	}
	if n := len(c.Assessment); n < minAssessment || n > maxAssessment {
		return fmt.Errorf("catalogue size: %d assessment items, want %d to %d", n, minAssessment, maxAssessment)
	}
	covered := make(map[Dimension]bool)
	inAssessment := make(map[string]bool)
	for _, p := range c.Assessment {
		covered[p.Dimension] = true
		inAssessment[p.ID] = true
	}
	for _, d := range LeanDimensions() {
		if !covered[d] {
			return fmt.Errorf("catalogue size: the assessment has no %s item", d)
		}
	}
	for _, id := range SelfCheckIDs() {
		if !inAssessment[id] {
			return fmt.Errorf("catalogue size: the assessment lacks self-check item %q", id)
		}
	}
	return nil
}
