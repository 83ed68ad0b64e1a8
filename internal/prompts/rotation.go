package prompts

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// Block is one block of a person's rotation: the prompts it asks in order. Each lean dimension the
// catalogue still has prompts for in the round appears once; a shared prompt may be woven in.
type Block []Prompt

// Rotation is a person's plan for one round of the weekly rotation: every weekly prompt that is not
// a wellbeing check, once, in blocks.
type Rotation struct {
	Blocks []Block
	// flip holds, per prompt id, whether its options are shown with the leadership end first.
	flip map[string]bool
}

// Sequence returns the round's prompts in the order they are asked.
func (r Rotation) Sequence() []Prompt {
	var seq []Prompt
	for _, b := range r.Blocks {
		seq = append(seq, b...)
	}
	return seq
}

// seeded returns a generator that depends only on the person and a salt, so a person's plan is the
// same on every replica and after every restart, and differs from one person to the next.
func seeded(person, salt string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(person))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// shuffle is a Fisher–Yates shuffle written out, so the order depends only on the generator's
// stream and never on how the standard library happens to draw from it.
func shuffle[T any](r *rand.Rand, xs []T) {
	for i := len(xs) - 1; i > 0; i-- {
		j := int(r.Uint64N(uint64(i + 1)))
		xs[i], xs[j] = xs[j], xs[i]
	}
}

// rotationPool is every weekly prompt that is not a wellbeing check; a catalogue of wellbeing
// prompts only (an override may be one prompt) rotates through those instead.
func (c *Catalogue) rotationPool() []Prompt {
	pool := make([]Prompt, 0, len(c.Prompts))
	for _, p := range c.Prompts {
		if p.Dimension != Wellbeing {
			pool = append(pool, p)
		}
	}
	if len(pool) == 0 {
		pool = slices.Clone(c.Prompts)
	}
	return pool
}

// Plan returns person's rotation over the catalogue. It is a pure function of the person and the
// catalogue:
//
//   - Block b asks the b-th prompt of every lean dimension that has one, so each block covers all
//     six dimensions once (a catalogue with fewer prompts in some dimensions gets shorter blocks
//     toward the end of the round). The dimensions' order in a block is shuffled per person and
//     per block.
//   - Within a dimension, prompts are shuffled per person, then its text prompts are spread over
//     its blocks, each into the block of its stretch that holds the fewest texts so far, so no
//     block collects the texts; within a block, text prompts are spaced among the one-tap ones so
//     the kinds interleave, across block boundaries too.
//   - Prompts of dimensions without a lean (shared skills, or anything else an override holds)
//     are woven in evenly, at most one per block while blocks last, text ones into the blocks
//     with the fewest texts.
//   - Option order is counterbalanced: within each block, as many prompts with options show the
//     leadership end first as last (to within one), and each dimension alternates between the two
//     from one block to the next where the balance allows.
func (c *Catalogue) Plan(person string) Rotation {
	pool := c.rotationPool()
	r := Rotation{flip: make(map[string]bool)}
	byDim := make(map[Dimension][]Prompt)
	var dims []Dimension // lean dimensions present, in LeanDimensions order
	var other []Prompt
	for _, d := range LeanDimensions() {
		for _, p := range pool {
			if p.Dimension == d {
				byDim[d] = append(byDim[d], p)
			}
		}
		if len(byDim[d]) > 0 {
			dims = append(dims, d)
		}
	}
	for _, p := range pool {
		if !p.Dimension.IsLean() {
			other = append(other, p)
		}
	}
	rng := seeded(person, "rotation")
	nBlocks := 0
	for _, d := range dims {
		shuffle(rng, byDim[d])
		nBlocks = max(nBlocks, len(byDim[d]))
	}
	shuffle(rng, other)
	if len(dims) == 0 {
		// No lean dimension at all: the other prompts are the whole rotation, one block each.
		for _, p := range other {
			r.Blocks = append(r.Blocks, Block{p})
		}
		r.assignFlips()
		return r
	}
	// Spread each dimension's text prompts over its blocks, one per stretch of blocks, choosing in
	// each stretch the block that holds the fewest texts so far, so texts never pile up in a block.
	texts := make([]int, nBlocks)
	dimOrder := slices.Clone(dims)
	shuffle(rng, dimOrder)
	for _, d := range dimOrder {
		byDim[d] = spreadTexts(rng, byDim[d], texts)
	}
	r.Blocks = make([]Block, nBlocks)
	for b := range nBlocks {
		order := slices.Clone(dims)
		shuffle(rng, order)
		for _, d := range order {
			if b < len(byDim[d]) {
				r.Blocks[b] = append(r.Blocks[b], byDim[d][b])
			}
		}
	}
	// Weave the other prompts in, spread evenly: each goes to a block holding the fewest of them so
	// far, text ones (placed first) to such a block with the fewest texts, ties broken at random.
	// More of them than blocks go in as blocks of their own at the end of the round.
	woven := make([]int, nBlocks)
	slices.SortStableFunc(other, func(a, b Prompt) int {
		return boolInt(b.Kind == Text) - boolInt(a.Kind == Text)
	})
	for i, p := range other {
		if i >= nBlocks {
			r.Blocks = append(r.Blocks, Block{p})
			continue
		}
		off := int(rng.Uint64N(uint64(nBlocks)))
		best := -1
		for j := range nBlocks {
			b := (off + j) % nBlocks
			switch {
			case best < 0, woven[b] < woven[best]:
				best = b
			case woven[b] == woven[best] && p.Kind == Text && texts[b] < texts[best]:
				best = b
			}
		}
		woven[best]++
		if p.Kind == Text {
			texts[best]++
		}
		r.Blocks[best] = append(r.Blocks[best], p)
	}
	prevText := false
	for b := range r.Blocks {
		r.Blocks[b] = interleave(r.Blocks[b], prevText)
		if n := len(r.Blocks[b]); n > 0 {
			prevText = r.Blocks[b][n-1].Kind == Text
		}
	}
	r.assignFlips()
	return r
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// spreadTexts reorders one dimension's prompts (its b-th prompt goes to block b) so its k-th text
// prompt lands in the k-th stretch of its blocks, in the stretch's block with the fewest texts so
// far; texts counts the texts per block and is updated.
func spreadTexts(rng *rand.Rand, ps []Prompt, texts []int) []Prompt {
	var txt, taps []Prompt
	for _, p := range ps {
		if p.Kind == Text {
			txt = append(txt, p)
		} else {
			taps = append(taps, p)
		}
	}
	if len(txt) == 0 || len(taps) == 0 {
		for i, p := range ps {
			if p.Kind == Text {
				texts[i]++
			}
		}
		return ps
	}
	n := len(ps)
	at := make(map[int]bool, len(txt))
	for k := range txt {
		lo, hi := k*n/len(txt), (k+1)*n/len(txt)
		// Start the search at a random place in the stretch so ties do not always go early.
		off := int(rng.Uint64N(uint64(hi - lo)))
		best := -1
		for j := range hi - lo {
			b := lo + (off+j)%(hi-lo)
			if !at[b] && (best < 0 || texts[b] < texts[best]) {
				best = b
			}
		}
		at[best] = true
		texts[best]++
	}
	out := make([]Prompt, 0, n)
	for i := range n {
		if at[i] {
			out, txt = append(out, txt[0]), txt[1:]
		} else {
			out, taps = append(out, taps[0]), taps[1:]
		}
	}
	return out
}

// interleave orders a block so that no two text prompts sit side by side, nor its first prompt
// beside the text that closed the block before (prevText), as far as the block's one-tap prompts
// allow. Texts are spaced evenly among the taps; the relative order of each kind is kept.
func interleave(b Block, prevText bool) Block {
	var texts, taps []Prompt
	for _, p := range b {
		if p.Kind == Text {
			texts = append(texts, p)
		} else {
			taps = append(taps, p)
		}
	}
	if len(texts) == 0 || len(taps) == 0 {
		return b
	}
	out := make(Block, 0, len(b))
	if len(texts) > len(taps) && !prevText {
		// More texts than taps: only opening with a text keeps them apart.
		out, texts = append(out, texts[0]), texts[1:]
	}
	// Each text follows a run of taps: the taps are shared out as evenly as they go.
	for k := range texts {
		run := len(taps) / (len(texts) - k)
		if run == 0 && len(taps) > 0 {
			run = 1
		}
		out, taps = append(out, taps[:run]...), taps[run:]
		out = append(out, texts[k])
	}
	return append(out, taps...)
}

// hasLeanEnds reports whether p's options span a leadership end and a management end, i.e. whether
// the order they are shown in could give the leadership answer away.
func hasLeanEnds(p Prompt) bool {
	lo, hi := false, false
	for _, o := range p.Options {
		if o.Lean != nil {
			lo = lo || *o.Lean < 0
			hi = hi || *o.Lean > 0
		}
	}
	return lo && hi
}

// assignFlips decides, block by block, which prompts show the leadership end first. Each
// dimension wants the opposite of its last showing; then the block is balanced by turning the
// wishes of the dimensions that flipped least recently, so the counts of "first" and "last" in a
// block differ by at most one. Prompts without a lean (shared ones) simply alternate.
func (r *Rotation) assignFlips() {
	last := make(map[Dimension]bool)
	otherFlip := false
	for _, b := range r.Blocks {
		var idx []int
		want := make([]bool, len(b))
		for i, p := range b {
			if p.Kind == Text {
				continue
			}
			if !hasLeanEnds(p) {
				r.flip[p.ID] = otherFlip
				otherFlip = !otherFlip
				continue
			}
			idx = append(idx, i)
			want[i] = !last[p.Dimension]
		}
		first := 0
		for _, i := range idx {
			if want[i] {
				first++
			}
		}
		// Turn wishes, from the end of the block, until the block is balanced.
		for k := len(idx) - 1; k >= 0 && (2*first > len(idx)+1 || 2*first < len(idx)-1); k-- {
			i := idx[k]
			if 2*first > len(idx)+1 && want[i] {
				want[i] = false
				first--
			} else if 2*first < len(idx)-1 && !want[i] {
				want[i] = true
				first++
			}
		}
		for _, i := range idx {
			r.flip[b[i].ID] = want[i]
			last[b[i].Dimension] = want[i]
		}
	}
}

// LeadershipFirst reports whether id's options are shown with the leadership end first in this
// rotation. Prompts outside it (wellbeing checks, assessment items) report false.
func (r Rotation) LeadershipFirst(id string) bool { return r.flip[id] }

// OptionOrder returns the order in which p's options are shown to person, as indices into
// p.Options. The tap records the index, never the place, so the order only changes what is seen.
//
// Options are laid out from one end of the scale to the other (by lean, or by wellbeing for
// wellbeing checks), with options that carry neither value ("not sure") kept last; whether the
// leadership (or sustainable) end comes first is decided by the person's rotation plan for rotation
// prompts (counterbalanced per block) and by a per-person coin for wellbeing checks. The order is a
// pure function of the person, the prompt and the catalogue, so a reminder or a re-rendered
// message shows the same order as the original.
func (c *Catalogue) OptionOrder(person string, p Prompt) []int {
	var first bool
	switch {
	case p.Dimension == Wellbeing:
		first = seeded(person, "wellbeing:"+p.ID).Uint64()&1 == 1
	default:
		first = c.Plan(person).LeadershipFirst(p.ID)
	}
	return orderOptions(p, first)
}

// orderOptions lays out p's options from the management (strained) end to the leadership
// (sustainable) end, or the other way round when reversed; options without a value stay last in
// catalogue order.
func orderOptions(p Prompt, reversed bool) []int {
	value := func(o Option) (int, bool) {
		switch {
		case p.Dimension == Wellbeing && o.Wellbeing != nil:
			return *o.Wellbeing, true
		case o.Lean != nil && p.Dimension != Wellbeing:
			return *o.Lean, true
		}
		return 0, false
	}
	var valued, rest []int
	for i, o := range p.Options {
		if _, ok := value(o); ok {
			valued = append(valued, i)
		} else {
			rest = append(rest, i)
		}
	}
	slices.SortStableFunc(valued, func(a, b int) int {
		va, _ := value(p.Options[a])
		vb, _ := value(p.Options[b])
		return va - vb
	})
	if reversed {
		slices.Reverse(valued)
	}
	return append(valued, rest...)
}

// NextPrompt picks person's next weekly prompt from asked, the ids of every prompt they were ever
// sent, oldest first (ids the catalogue no longer has are ignored). The rules:
//
//   - The rotation is person's Plan: blocks that each cover the six lean dimensions once, kinds
//     interleaved, shared prompts woven in.
//   - Prompts are asked in rounds: nothing repeats until every rotation prompt has been asked, then
//     a new round starts. Rounds are found by replaying the history, so a prompt added to the
//     catalogue joins the round in progress instead of resetting anyone's rotation.
//   - The next prompt is the first one after the last prompt asked, along the plan (wrapping
//     round), that the round has not asked yet; so a person who follows the plan walks it in
//     order, and one whose history came from an older catalogue carries on from where they were.
//   - The prompt just asked is never picked again straight away when the round offers another.
//   - ok is false only for a catalogue with no prompts, which Parse never returns.
func (c *Catalogue) NextPrompt(person string, asked []string) (Prompt, bool) {
	pool := c.rotationPool()
	r := replay(pool, asked)
	if len(r.left) == 0 {
		return Prompt{}, false
	}
	seq := c.Plan(person).Sequence()
	left := make(map[string]bool, len(r.left))
	for _, p := range r.left {
		left[p.ID] = true
	}
	start := 0
	if i := slices.IndexFunc(seq, func(p Prompt) bool { return p.ID == r.last }); i >= 0 {
		start = i + 1
	}
	for k := range seq {
		if p := seq[(start+k)%len(seq)]; left[p.ID] {
			return p, true
		}
	}
	return r.left[0], true
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
	left   []Prompt       // pool prompts still to ask in the current round, in catalogue order
	counts map[string]int // asks per id over the whole history
	last   string         // the last pool prompt asked, "" if none
}

// replay walks the history, counting asks and closing a round whenever every prompt of pool has
// been asked in it. Ids outside pool are skipped.
func replay(pool []Prompt, asked []string) round {
	inPool := make(map[string]bool, len(pool))
	for _, p := range pool {
		inPool[p.ID] = true
	}
	r := round{counts: make(map[string]int)}
	inRound := make(map[string]bool, len(pool))
	for _, id := range asked {
		if !inPool[id] {
			continue
		}
		r.counts[id]++
		r.last = id
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

// AssessmentOrders returns, per assessment item id, the order its options are shown to person in
// the assessment form (indices into the item's Options). The form shows every item at once, so
// the lean items alternate down the form, leadership end first, then last, then first, starting
// from a per-person coin; items without a lean get a per-person coin each.
func (c *Catalogue) AssessmentOrders(person string) map[string][]int {
	out := make(map[string][]int, len(c.Assessment))
	first := seeded(person, "assessment").Uint64()&1 == 1
	for _, p := range c.Assessment {
		if hasLeanEnds(p) {
			out[p.ID] = orderOptions(p, first)
			first = !first
			continue
		}
		out[p.ID] = orderOptions(p, seeded(person, "assessment:"+p.ID).Uint64()&1 == 1)
	}
	return out
}
