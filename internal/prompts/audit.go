package prompts

import (
	"fmt"
	"slices"
	"strings"
)

// auditPerson is the sample person whose rotation the audit walks; any id would do, since every
// person's blocks have the same shape.
const auditPerson = "audit"

// Audit is what `bot check` says about a catalogue beyond its validity: how the rotation covers
// the lean dimensions, where the leadership end of the option sets sits, and which lexicon words
// appear in the prompts' own texts.
type Audit struct {
	// Blocks holds, per block of a sample rotation, the lean dimensions it covers and how many
	// of its prompts show the leadership end first and last.
	Blocks []BlockAudit
	// LeadershipLast and LeadershipFirst count the lean option sets by where the catalogue lists
	// the leadership end; the rotation shows them alternately either way.
	LeadershipLast, LeadershipFirst int
	// FixedEnds lists lean prompts with options whose leadership end cannot move: their options
	// do not run from a management end to a leadership end, so counterbalancing cannot hide the
	// leadership answer.
	FixedEnds []string
	// LexiconInTexts lists, per prompt id, the lexicon words its own text contains, which a
	// written answer that echoes the question would otherwise be read by.
	LexiconInTexts []string
}

// BlockAudit is one block of the sample rotation.
type BlockAudit struct {
	Dimensions      int // lean dimensions covered, at most once each
	Repeated        int // lean prompts beyond the first of their dimension in the block
	Prompts         int
	LeadershipFirst int
	LeadershipLast  int
}

// Audit walks the catalogue as `bot check` reports it.
func (c *Catalogue) Audit() Audit {
	var a Audit
	plan := c.Plan(auditPerson)
	for _, b := range plan.Blocks {
		ba := BlockAudit{Prompts: len(b)}
		seen := map[Dimension]bool{}
		for _, p := range b {
			if p.Dimension.IsLean() {
				if seen[p.Dimension] {
					ba.Repeated++
				}
				seen[p.Dimension] = true
			}
			if hasLeanEnds(p) {
				if plan.LeadershipFirst(p.ID) {
					ba.LeadershipFirst++
				} else {
					ba.LeadershipLast++
				}
			}
		}
		ba.Dimensions = len(seen)
		a.Blocks = append(a.Blocks, ba)
	}
	for _, p := range append(slices.Clone(c.Prompts), c.Assessment...) {
		if !p.Dimension.IsLean() || p.Kind == Text {
			continue
		}
		if !hasLeanEnds(p) {
			a.FixedEnds = append(a.FixedEnds, p.ID)
			continue
		}
		first, last := p.Options[0].Lean, p.Options[len(p.Options)-1].Lean
		if first != nil && last != nil && *first > *last {
			a.LeadershipFirst++
		} else {
			a.LeadershipLast++
		}
	}
	for _, p := range c.Prompts {
		var hits []string
		lower, toks := tokenize(p.Text)
		for _, h := range c.compiled().find(toks) {
			if w := lower[toks[h.start].start:toks[h.end-1].end]; h.e.pole != "" && !slices.Contains(hits, w) {
				hits = append(hits, w)
			}
		}
		if len(hits) > 0 {
			a.LexiconInTexts = append(a.LexiconInTexts, p.ID+": "+strings.Join(hits, ", "))
		}
	}
	return a
}

// Lines renders the audit as a few short lines for `bot check`.
func (a Audit) Lines() []string {
	var lines []string
	full, short := 0, 0
	var worst []string
	imbalanced := 0
	for i, b := range a.Blocks {
		if b.Dimensions == len(LeanDimensions()) && b.Repeated == 0 {
			full++
		} else {
			short++
			worst = append(worst, fmt.Sprintf("block %d: %d of 6", i+1, b.Dimensions))
		}
		if d := b.LeadershipFirst - b.LeadershipLast; d > 1 || d < -1 {
			imbalanced++
		}
	}
	line := fmt.Sprintf("rotation: %d blocks, %d cover all six lean dimensions once", len(a.Blocks), full)
	if short > 0 {
		line += fmt.Sprintf("; %d do not (%s)", short, strings.Join(worst, ", "))
	}
	lines = append(lines, line)
	lines = append(lines, fmt.Sprintf("option order: %d blocks show the leadership end first and last equally often (to within one), %d do not; the catalogue lists it last in %d sets and first in %d, and the order shown alternates either way",
		len(a.Blocks)-imbalanced, imbalanced, a.LeadershipLast, a.LeadershipFirst))
	if len(a.FixedEnds) > 0 {
		lines = append(lines, fmt.Sprintf("option sets whose leadership end cannot move (no management end to swap with): %s", strings.Join(a.FixedEnds, ", ")))
	} else {
		lines = append(lines, "option sets whose leadership end cannot move: none")
	}
	if len(a.LexiconInTexts) > 0 {
		lines = append(lines, fmt.Sprintf("lexicon words in prompt texts (%d prompts): %s", len(a.LexiconInTexts), strings.Join(a.LexiconInTexts, "; ")))
	} else {
		lines = append(lines, "lexicon words in prompt texts: none")
	}
	return lines
}
