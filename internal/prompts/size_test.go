package prompts

// This file holds the built-in catalogue's size rules. Only tests check them (a team's own
// catalogue needs only one valid prompt), so they live beside the tests rather than in the binary.

import "fmt"

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
