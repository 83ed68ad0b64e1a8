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
	// Mirror holds the team mirror's questions: what a team member saw their lead do in a month
	// (see mirror.go). A catalogue without the section gets the built-in questions.
	Mirror []Prompt `json:"mirror"`

	index   map[string]Prompt
	mirror  map[string]Prompt // Mirror by id
	matcher *matcher          // the lexicon compiled at parse time
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
