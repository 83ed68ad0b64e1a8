package prompts

import "slices"

// rotationRing is the order the main weekly prompt walks through: the six lean dimensions, then a
// shared prompt, so a shared skill takes one turn in each cycle of six.
func rotationRing() []Dimension {
	return append(LeanDimensions(), Shared)
}

// NextPrompt picks a person's next weekly prompt from asked, the ids of every prompt they were ever
// sent, oldest first (ids the catalogue no longer has are ignored). The rules:
//
//   - The main rotation is every weekly prompt that is not a wellbeing check. The wanted dimension
//     follows the dimension of the last rotation prompt asked, walking direction, change, culture,
//     people, adaptability, horizon, then shared, and round again; with no history it is direction.
//   - Prompts are asked in rounds: nothing repeats until every rotation prompt has been asked, then a
//     new round starts. Rounds are found by replaying the history, so a prompt added to the
//     catalogue joins the round in progress instead of resetting anyone's rotation.
//   - Among the round's prompts left in the wanted dimension, the least-asked over the whole history
//     wins, ties going to catalogue order. When the dimension has none left in this round (or the
//     catalogue has none at all), the next dimension along the ring that has one is taken, so
//     override catalogues that lack dimensions still rotate.
//   - The prompt just asked is never picked again straight away when the round offers another, so a
//     new round never opens with a repeat of the week before.
//   - A catalogue of wellbeing prompts only (an override can be a single prompt) rotates through
//     them instead; ok is false only for a catalogue with no prompts, which Parse never returns.
func (c *Catalogue) NextPrompt(asked []string) (Prompt, bool) {
	pool := make([]Prompt, 0, len(c.Prompts))
	for _, p := range c.Prompts {
		if p.Dimension != Wellbeing {
			pool = append(pool, p)
		}
	}
	if len(pool) == 0 {
		pool = c.Prompts
	}
	r := replay(pool, asked)
	if len(r.left) == 0 {
		return Prompt{}, false
	}
	ring := rotationRing()
	start := 0
	if r.last != "" {
		start = slices.Index(ring, r.lastDim) + 1 // −1 + 1: a dimension off the ring restarts it
	}
	for k := range ring {
		want := ring[(start+k)%len(ring)]
		if p, ok := r.leastAsked(func(p Prompt) bool { return p.Dimension == want }); ok {
			return p, true
		}
	}
	// Only dimensions off the ring are left (a wellbeing-only catalogue).
	return r.leastAsked(func(Prompt) bool { return true })
}

// WellbeingCheck returns the one-tap wellbeing check to add to a week: one of the wellbeing prompts
// answered with a tap (scale or choice), chosen from asked (the same delivery history as
// NextPrompt) by the same round rules: none repeats until all have been asked, the least-asked goes
// first with ties in catalogue order, and the check just asked is not asked again straight away. ok
// is false when the catalogue has no such prompt.
func (c *Catalogue) WellbeingCheck(asked []string) (Prompt, bool) {
	var pool []Prompt
	for _, p := range c.Prompts {
		if p.Dimension == Wellbeing && p.Kind != Text {
			pool = append(pool, p)
		}
	}
	return replay(pool, asked).leastAsked(func(Prompt) bool { return true })
}

// round is where a person stands in the rotation of one pool of prompts.
type round struct {
	left    []Prompt       // pool prompts still to ask in the current round, in catalogue order
	counts  map[string]int // asks per id over the whole history
	last    string         // the last pool prompt asked, "" if none
	lastDim Dimension
}

// replay walks the history, counting asks and closing a round whenever every prompt of pool has
// been asked in it. Ids outside pool are skipped.
func replay(pool []Prompt, asked []string) round {
	dimOf := make(map[string]Dimension, len(pool))
	for _, p := range pool {
		dimOf[p.ID] = p.Dimension
	}
	r := round{counts: make(map[string]int)}
	inRound := make(map[string]bool, len(pool))
	for _, id := range asked {
		d, ok := dimOf[id]
		if !ok {
			continue
		}
		r.counts[id]++
		r.last, r.lastDim = id, d
		inRound[id] = true
		if len(inRound) == len(pool) {
			clear(inRound)
		}
	}
	for _, p := range pool {
		if !inRound[p.ID] {
			r.left = append(r.left, p)
		}
	}
	if len(r.left) > 1 {
		// Only a round that has just begun can still hold the last prompt asked.
		r.left = slices.DeleteFunc(r.left, func(p Prompt) bool { return p.ID == r.last })
	}
	return r
}

// leastAsked returns the prompt left in the round that matches keep and has been asked least,
// the earliest in catalogue order on a tie.
func (r round) leastAsked(keep func(Prompt) bool) (Prompt, bool) {
	var best Prompt
	found := false
	for _, p := range r.left {
		if keep(p) && (!found || r.counts[p.ID] < r.counts[best.ID]) {
			best, found = p, true
		}
	}
	return best, found
}
