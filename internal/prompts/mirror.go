package prompts

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	assets "github.com/reflect-bot/reflect"
)

// The team mirror asks a channel's members, once a month, what their lead did that month: two or
// three one-tap questions from the catalogue's "mirror" section, in the same format as the weekly
// prompts. A mirror question is a "choice" or "scale" of a lean dimension; its options carry a
// lean like a weekly prompt's (+2 the leadership end of the contrast, −2 the management end), so
// the team's answers read on the same scale as the lead's own. "Not sure" is always offered by the
// bot itself, so no option may be called that.

// NotSure is the label of the answer every mirror question offers besides its options; it carries
// no lean and counts toward nothing.
const NotSure = "Not sure"

// parseMirror decodes and validates the mirror section into c. A catalogue without the section
// gets the built-in questions; an empty one is refused, as it would leave the mirror nothing to ask.
func (c *Catalogue) parseMirror(raws []json.RawMessage, doc []byte, source string, seen map[string]string) error {
	if raws == nil {
		def, err := defaultMirror()
		if err != nil {
			return err
		}
		c.Mirror = def
		for _, p := range def {
			c.mirror[p.ID] = p
		}
		return nil
	}
	if len(raws) == 0 {
		return &ValidationError{Source: source, Field: "mirror",
			Msg: "needs at least one question; leave the section out to use the built-in questions"}
	}
	c.Mirror = make([]Prompt, 0, len(raws))
	for i, r := range raws {
		pos := fmt.Sprintf("mirror[%d]", i)
		p, err := decodePrompt(r, doc, source, pos)
		if err != nil {
			return err
		}
		if bad := checkMirror(p); bad != nil {
			bad.Source, bad.Position = source, pos
			return bad
		}
		if first, dup := seen[p.ID]; dup {
			return &ValidationError{Source: source, PromptID: p.ID, Position: pos, Field: "id",
				Msg: fmt.Sprintf("duplicate id, already used by %s", first)}
		}
		seen[p.ID] = pos
		c.mirror[p.ID] = p
		c.Mirror = append(c.Mirror, p)
	}
	return nil
}

// checkMirror applies the rules of a weekly prompt and the mirror's own: a lean dimension (the
// mirror reads a lean), one tap (no text), no private flag (mirror answers only ever feed a team
// view), at least one option that leans (else no answer could say anything), and no option called
// "not sure" (the bot adds that one).
func checkMirror(p Prompt) *ValidationError {
	if bad := checkPrompt(p); bad != nil {
		return bad
	}
	fail := func(field, format string, args ...any) *ValidationError {
		return &ValidationError{PromptID: p.ID, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if !p.Dimension.IsLean() {
		return fail("dimension", "a mirror question needs one of the six lean dimensions (%s), got %q",
			strings.Join(dimensionNames(LeanDimensions()), ", "), p.Dimension)
	}
	if p.Kind == Text {
		return fail("kind", "a mirror question is answered with one tap: want choice or scale, got text")
	}
	if p.Private {
		return fail("private", "mirror answers only ever feed the team's view; remove \"private\"")
	}
	leans := false
	for i, o := range p.Options {
		if strings.EqualFold(strings.TrimSpace(o.Label), NotSure) {
			return fail(fmt.Sprintf("options[%d].label", i), "%q is offered with every mirror question already; remove this option", NotSure)
		}
		if o.Lean != nil && *o.Lean != 0 {
			leans = true
		}
	}
	if !leans {
		return fail("options", "no option leans toward leadership or management, so no answer could say anything")
	}
	return nil
}

func dimensionNames(ds []Dimension) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}
	return out
}

var (
	defaultMirrorOnce sync.Once
	defaultMirrorSet  []Prompt
	defaultMirrorErr  error
)

// defaultMirror is the built-in catalogue's mirror section, for catalogues without one.
func defaultMirror() ([]Prompt, error) {
	defaultMirrorOnce.Do(func() {
		var raw struct {
			Mirror []json.RawMessage `json:"mirror"`
		}
		if err := json.Unmarshal(assets.PromptsJSON, &raw); err != nil {
			defaultMirrorErr = fmt.Errorf("built-in mirror questions: %w", err)
			return
		}
		if len(raw.Mirror) == 0 {
			defaultMirrorErr = fmt.Errorf("built-in mirror questions: prompts.json has no mirror section")
			return
		}
		c := &Catalogue{mirror: map[string]Prompt{}}
		if err := c.parseMirror(raw.Mirror, assets.PromptsJSON, "prompts.json", map[string]string{}); err != nil {
			defaultMirrorErr = err
			return
		}
		defaultMirrorSet = c.Mirror
	})
	return defaultMirrorSet, defaultMirrorErr
}

// MirrorItem looks id up among the mirror questions.
func (c *Catalogue) MirrorItem(id string) (Prompt, bool) {
	p, ok := c.mirror[id]
	return p, ok
}

// MirrorSet returns the mirror questions of a month, n of them (at most one per lean dimension),
// and for each whether its leadership end is shown first. monthIndex counts months (year·12 +
// month). Everyone asked in a month gets the same questions in the same order, so the set a
// person was asked never tells them apart. The months rotate over the six contrasts (three
// contrasts one month, the other three the next), through each contrast's questions in turn, and
// swap which end comes first from one showing to the next.
func (c *Catalogue) MirrorSet(monthIndex, n int) []MirrorQuestion {
	byDim := map[Dimension][]Prompt{}
	for _, p := range c.Mirror {
		byDim[p.Dimension] = append(byDim[p.Dimension], p)
	}
	var dims []Dimension
	for _, d := range LeanDimensions() {
		if len(byDim[d]) > 0 {
			dims = append(dims, d)
		}
	}
	if len(dims) == 0 || n <= 0 {
		return nil
	}
	n = min(n, len(dims))
	if monthIndex < 0 {
		monthIndex = -monthIndex
	}
	out := make([]MirrorQuestion, 0, n)
	for i := range n {
		k := monthIndex*n + i
		di, showing := k%len(dims), k/len(dims) // the contrast, and how often it came up before
		qs := byDim[dims[di]]
		out = append(out, MirrorQuestion{Prompt: qs[showing%len(qs)], LeadershipFirst: (showing+di)%2 == 0})
	}
	return out
}

// MirrorQuestion is one question of a month's mirror, with the order its ends are shown in.
type MirrorQuestion struct {
	Prompt          Prompt
	LeadershipFirst bool
}

// Order returns the question's option indices in the order shown: sorted by lean from the end
// that comes first, options of equal lean (such as "both about equally") in catalogue order.
func (q MirrorQuestion) Order() []int {
	idx := make([]int, len(q.Prompt.Options))
	for i := range idx {
		idx[i] = i
	}
	lean := func(i int) int {
		if l := q.Prompt.Options[i].Lean; l != nil {
			return *l
		}
		return 0
	}
	// Options with lean 0 stay after those that lean; the leaning ones go from the first end.
	key := func(i int) int {
		l := lean(i)
		switch {
		case l == 0:
			return 10
		case q.LeadershipFirst:
			return -l
		default:
			return l
		}
	}
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && key(idx[j]) < key(idx[j-1]); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	return idx
}
