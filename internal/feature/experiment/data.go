package experiment

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// The experiments live with the feature rather than in the catalogue: the catalogue's format is
// public and fixed (prompts, lexicon, assessment), and these are the bot's own offers, keyed on
// what a summary's suggestion answers (report.Summary.Need).
//
//go:embed experiments.json
var builtin []byte

// Item is one experiment a person can try for a month.
type Item struct {
	ID    string `json:"id"`
	Need  string `json:"need"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// List is the experiments, each need's in a fixed order.
type List struct {
	byID   map[string]Item
	byNeed map[string][]Item
}

// Limits of an experiment's fields: a title is a button-length line, a text a few sentences.
const (
	maxTitle = 60
	maxText  = 300
	// minPerNeed is how many experiments each need has at least, so "Suggest another" always has
	// somewhere to go.
	minPerNeed = 4
)

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Needs are every need a summary's suggestion can answer: each lean dimension from either pole,
// a strained or falling wellbeing, a balanced month and one with too little to read.
func Needs() []string {
	var needs []string
	for _, d := range prompts.LeanDimensions() {
		needs = append(needs, string(d)+"-"+prompts.LabelLeadership, string(d)+"-"+prompts.LabelManagement)
	}
	return append(needs, "wellbeing-strained", "wellbeing-falling", "balanced", "no-lean")
}

// Parse reads and checks a list of experiments: ids unique and kebab-case, every need known and
// covered by at least minPerNeed, titles and texts present and short. Errors name the
// experiment and the field.
func Parse(b []byte) (*List, error) {
	var doc struct {
		Version     int    `json:"version"`
		Experiments []Item `json:"experiments"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("experiments: version %d, want 1", doc.Version)
	}
	known := map[string]bool{}
	for _, n := range Needs() {
		known[n] = true
	}
	l := &List{byID: map[string]Item{}, byNeed: map[string][]Item{}}
	for i, e := range doc.Experiments {
		where := fmt.Sprintf("experiments[%d] (%s)", i, e.ID)
		switch {
		case !idPattern.MatchString(e.ID) || len(e.ID) > 64:
			return nil, fmt.Errorf("%s: id: want lower-case kebab-case, at most 64 characters", where)
		case l.byID[e.ID].ID != "":
			return nil, fmt.Errorf("%s: id: used twice", where)
		case !known[e.Need]:
			return nil, fmt.Errorf("%s: need: %q is not one of %s", where, e.Need, strings.Join(Needs(), ", "))
		case strings.TrimSpace(e.Title) == "" || len([]rune(e.Title)) > maxTitle:
			return nil, fmt.Errorf("%s: title: want 1 to %d characters", where, maxTitle)
		case strings.TrimSpace(e.Text) == "" || len([]rune(e.Text)) > maxText:
			return nil, fmt.Errorf("%s: text: want 1 to %d characters", where, maxText)
		}
		l.byID[e.ID] = e
		l.byNeed[e.Need] = append(l.byNeed[e.Need], e)
	}
	for _, n := range Needs() {
		if len(l.byNeed[n]) < minPerNeed {
			return nil, fmt.Errorf("experiments: need %s has %d, want at least %d", n, len(l.byNeed[n]), minPerNeed)
		}
	}
	return l, nil
}

// Builtin is the list built into the binary.
func Builtin() (*List, error) { return Parse(builtin) }

// Item returns the experiment with id.
func (l *List) Item(id string) (Item, bool) {
	e, ok := l.byID[id]
	return e, ok
}

// ForNeed returns need's experiments.
func (l *List) ForNeed(need string) []Item { return l.byNeed[need] }

// Pick returns an experiment for need: the first after seed's place in the need's list that is
// not in avoid, or the one at seed's place when all are. ok is false for a need with none.
func (l *List) Pick(need string, seed int, avoid map[string]bool) (Item, bool) {
	items := l.byNeed[need]
	if len(items) == 0 {
		return Item{}, false
	}
	if seed < 0 {
		seed = -seed
	}
	for i := range items {
		e := items[(seed+i)%len(items)]
		if !avoid[e.ID] {
			return e, true
		}
	}
	return items[seed%len(items)], true
}

// Another returns a different experiment for the same need as id: the next in the need's list
// not in avoid (the one after id when all are). ok is false for an id not in the list.
func (l *List) Another(id string, avoid map[string]bool) (Item, bool) {
	e, ok := l.byID[id]
	if !ok {
		return Item{}, false
	}
	items := l.byNeed[e.Need]
	at := 0
	for i, x := range items {
		if x.ID == id {
			at = i
		}
	}
	for i := 1; i < len(items); i++ {
		x := items[(at+i)%len(items)]
		if !avoid[x.ID] {
			return x, true
		}
	}
	return items[(at+1)%len(items)], true
}

// Aim says, for a person, what an experiment for need works on: "direction, toward management".
func Aim(need string) string {
	switch need {
	case "wellbeing-strained", "wellbeing-falling":
		return "your wellbeing"
	case "balanced":
		return "keeping both sides strong"
	case "no-lean":
		return "giving your summary enough to read"
	}
	dim, pole, _ := strings.Cut(need, "-")
	other := prompts.LabelLeadership
	if pole == prompts.LabelLeadership {
		other = prompts.LabelManagement
	}
	return dim + ", toward " + other
}

// Dimension is the lean dimension need is about, "" for the others.
func Dimension(need string) prompts.Dimension {
	dim, pole, ok := strings.Cut(need, "-")
	if !ok || (pole != prompts.LabelLeadership && pole != prompts.LabelManagement) {
		return ""
	}
	return prompts.Dimension(dim)
}
