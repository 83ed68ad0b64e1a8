// Package simulation runs simulated people through Reflect's real planner, rotation, scoring and
// report on a simulated clock, with no Slack and no database, so catalogue authors (and we) can see
// what the monthly summary would say about someone who answers in a known way (`bot simulate`).
package simulation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
)

// Choose is how a persona answers scale and choice prompts: either by lean (Lean and Spread) or by
// the place of the option as shown (Position).
type Choose struct {
	// Lean and Spread: each answer is the option whose lean/2 is nearest to a draw from a normal
	// distribution with mean Lean and deviation Spread, clipped to [−1, 1]. Options without a lean
	// are picked at random.
	Lean   *float64 `json:"lean,omitempty"`
	Spread float64  `json:"spread,omitempty"`
	// Position is "first", "last", "middle" or "random": the option at that place as shown.
	Position string `json:"position,omitempty"`
}

// Shift changes a persona from month AfterMonths+1 on.
type Shift struct {
	AfterMonths int      `json:"after_months"`
	Choose      *Choose  `json:"choose,omitempty"`
	Wellbeing   *float64 `json:"wellbeing,omitempty"`
	Texts       []string `json:"texts,omitempty"`
}

// Persona is one simulated person, as a persona file describes them.
type Persona struct {
	Name   string `json:"name"`
	Seed   uint64 `json:"seed"`
	Choose Choose `json:"choose"`
	// Wellbeing picks the wellbeing option nearest this value in [−1, 1].
	Wellbeing float64 `json:"wellbeing"`
	// Texts are free-text answers used in turn; with none, text prompts go unanswered.
	Texts []string `json:"texts,omitempty"`
	// AnswerRate is the share of prompts answered; nil means 1.
	AnswerRate *float64 `json:"answer_rate,omitempty"`
	Shift      *Shift   `json:"shift,omitempty"`
	// Mirror is the persona's team answering the team mirror about them each month, with the
	// persona as its lead; nil: no mirror.
	Mirror *MirrorTeam `json:"mirror,omitempty"`
}

// MirrorTeam is a persona's team answering the team mirror: Size members, each asked the month's
// questions, answering with the share AnswerRate (default 1), "not sure" to a question with the
// share NotSure, else choosing the option nearest a draw from Choose (as a persona's own answers
// are chosen; position is not allowed).
type MirrorTeam struct {
	Size       int      `json:"size"`
	Choose     Choose   `json:"choose"`
	AnswerRate *float64 `json:"answer_rate,omitempty"`
	NotSure    float64  `json:"not_sure,omitempty"`
}

// ParsePersonas reads a persona file: a JSON array of personas. Unknown fields and bad values are
// errors that name the persona and the field.
func ParsePersonas(data []byte) ([]Persona, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var ps []Persona
	if err := dec.Decode(&ps); err != nil {
		return nil, fmt.Errorf("personas: %w", err)
	}
	if len(ps) == 0 {
		return nil, errors.New("personas: the file holds no persona; want a JSON array of objects")
	}
	names := map[string]bool{}
	for i, p := range ps {
		where := fmt.Sprintf("personas[%d]", i)
		if p.Name == "" {
			return nil, fmt.Errorf("%s.name: is missing", where)
		}
		where = fmt.Sprintf("persona %q", p.Name)
		if names[p.Name] {
			return nil, fmt.Errorf("%s: the name is used twice", where)
		}
		names[p.Name] = true
		if err := p.Choose.check(where + ".choose"); err != nil {
			return nil, err
		}
		if p.Wellbeing < -1 || p.Wellbeing > 1 {
			return nil, fmt.Errorf("%s.wellbeing: %g is outside [-1, 1]", where, p.Wellbeing)
		}
		if r := p.AnswerRate; r != nil && (*r < 0 || *r > 1) {
			return nil, fmt.Errorf("%s.answer_rate: %g is outside [0, 1]", where, *r)
		}
		if m := p.Mirror; m != nil {
			if m.Size < 1 || m.Size > 1000 {
				return nil, fmt.Errorf("%s.mirror.size: %d is outside 1..1000", where, m.Size)
			}
			if err := m.Choose.check(where + ".mirror.choose"); err != nil {
				return nil, err
			}
			if m.Choose.Lean == nil {
				return nil, fmt.Errorf("%s.mirror.choose: a team answers by lean, want {\"lean\": L, \"spread\": S}", where)
			}
			if r := m.AnswerRate; r != nil && (*r < 0 || *r > 1) {
				return nil, fmt.Errorf("%s.mirror.answer_rate: %g is outside [0, 1]", where, *r)
			}
			if m.NotSure < 0 || m.NotSure > 1 {
				return nil, fmt.Errorf("%s.mirror.not_sure: %g is outside [0, 1]", where, m.NotSure)
			}
		}
		if s := p.Shift; s != nil {
			if s.AfterMonths < 0 {
				return nil, fmt.Errorf("%s.shift.after_months: %d is negative", where, s.AfterMonths)
			}
			if s.Choose != nil {
				if err := s.Choose.check(where + ".shift.choose"); err != nil {
					return nil, err
				}
			}
			if w := s.Wellbeing; w != nil && (*w < -1 || *w > 1) {
				return nil, fmt.Errorf("%s.shift.wellbeing: %g is outside [-1, 1]", where, *w)
			}
		}
	}
	return ps, nil
}

func (c Choose) check(where string) error {
	switch {
	case c.Lean != nil && c.Position != "":
		return fmt.Errorf("%s: give either lean and spread or position, not both", where)
	case c.Lean != nil:
		if *c.Lean < -1 || *c.Lean > 1 {
			return fmt.Errorf("%s.lean: %g is outside [-1, 1]", where, *c.Lean)
		}
		if c.Spread < 0 || math.IsNaN(c.Spread) {
			return fmt.Errorf("%s.spread: %g is negative", where, c.Spread)
		}
	case c.Position != "":
		switch c.Position {
		case "first", "last", "middle", "random":
		default:
			return fmt.Errorf("%s.position: %q is not first, last, middle or random", where, c.Position)
		}
	default:
		return fmt.Errorf("%s: is missing; want {\"lean\": L, \"spread\": S} or {\"position\": \"first\"}", where)
	}
	return nil
}

// Month is one persona's month as the summary reads it.
type Month struct {
	Persona string `json:"persona"`
	Month   string `json:"month"`
	Label   string `json:"label"`
	// Score is the headline score rounded to two decimals, null when Label is "none".
	Score   *float64 `json:"score"`
	Answers int      `json:"answers"`
	// FirstLine is the summary's first line, as the person would read it.
	FirstLine string `json:"-"`
	// Summary is the whole summary, for tests.
	Summary report.Summary `json:"-"`
	// Mirror is the persona's team's view beside their own, for a persona with a mirror team:
	// the line of their summary ("You: … Your team sees: …, from N people"), "" when too few
	// answered; MirrorScore its score rounded to two decimals and MirrorRespondents how many
	// answered.
	Mirror            string   `json:"mirror,omitempty"`
	MirrorScore       *float64 `json:"mirror_score,omitempty"`
	MirrorRespondents int      `json:"mirror_respondents,omitempty"`
}

// Run simulates each persona for months months from start, on the default schedule
// PROMPT_SCHEDULE of planner, and returns each persona's months in order.
func Run(cat *prompts.Catalogue, planner schedule.Planner, personas []Persona, start report.Month, months int) []Month {
	var out []Month
	for _, p := range personas {
		out = append(out, runOne(cat, planner, p, start, months)...)
	}
	return out
}

// effective returns the persona as it answers in month index m (0-based from the start).
func (p Persona) effective(m int) (Choose, float64, []string) {
	c, w, t := p.Choose, p.Wellbeing, p.Texts
	if s := p.Shift; s != nil && m >= s.AfterMonths {
		if s.Choose != nil {
			c = *s.Choose
		}
		if s.Wellbeing != nil {
			w = *s.Wellbeing
		}
		if s.Texts != nil {
			t = s.Texts
		}
	}
	return c, w, t
}

func runOne(cat *prompts.Catalogue, planner schedule.Planner, p Persona, start report.Month, months int) []Month {
	rng := rand.New(rand.NewPCG(p.Seed, p.Seed^0x5eed))
	userID := "sim-" + p.Name
	loc := time.UTC
	created := start.Start(loc).Add(-time.Hour)
	end := start.Add(months).Start(loc)
	rate := 1.0
	if p.AnswerRate != nil {
		rate = *p.AnswerRate
	}
	var (
		in       = report.Input{Loc: loc}
		asked    []string
		streak   int
		lastOcc  time.Time
		textTurn int
		occ      = planner.Next("", "UTC", created)
	)
	for occ.Before(end) {
		due := occ
		d := db.DuePerson{
			Person:        db.Person{UserID: userID, TZ: "UTC", NextDueAt: &due, UnansweredStreak: streak, CreatedAt: created},
			LastScheduled: lastOcc,
			Asked:         asked,
		}
		plan := planner.Plan(d, occ)
		lastOcc = occ
		if plan.Ask {
			streak = 0 // the persona says "carry on"
		}
		if plan.Deliver != nil && plan.Deliver.PromptID != "" {
			m := monthIndex(start, report.MonthOf(occ, loc))
			choose, wellbeing, texts := p.effective(m)
			asked = append(asked, plan.Deliver.PromptID)
			if plan.Deliver.WellbeingPromptID != "" {
				asked = append(asked, plan.Deliver.WellbeingPromptID)
			}
			answered := false
			if rng.Float64() < rate {
				pr, _ := cat.Prompt(plan.Deliver.PromptID)
				// An answer counts in the month of its prompt, however late it comes, so its time
				// is the occurrence.
				var a *report.Answer
				if pr.Kind == prompts.Text {
					if len(texts) > 0 {
						text := texts[textTurn%len(texts)]
						textTurn++
						r := cat.ReadText(pr, text)
						a = &report.Answer{At: occ, Dimension: pr.Dimension, Reading: r, Quote: text, Written: true}
					}
				} else {
					i := pick(cat, userID, pr, choose, wellbeing, rng)
					r, _ := cat.ReadOption(pr, i)
					a = &report.Answer{At: occ, Dimension: pr.Dimension, Reading: r, Quote: pr.Options[i].Label}
				}
				if a != nil {
					answered = true
					in.Answers = append(in.Answers, *a)
					if w, ok := cat.Prompt(plan.Deliver.WellbeingPromptID); ok && w.Kind != prompts.Text {
						i := pick(cat, userID, w, choose, wellbeing, rng)
						r, _ := cat.ReadOption(w, i)
						in.Answers = append(in.Answers, report.Answer{At: occ, Dimension: w.Dimension, Reading: r, Quote: w.Options[i].Label})
					}
				}
			}
			in.Deliveries = append(in.Deliveries, report.Delivery{Occurrence: occ, Answered: answered})
			if answered {
				streak = 0
			} else {
				streak++
			}
		}
		occ = plan.NextDue
	}
	var out []Month
	for m := range months {
		in.Period = start.Add(m)
		s := report.Build(in)
		row := Month{Persona: p.Name, Month: in.Period.String(), Label: s.Lean.Label, Answers: s.Lean.Answers,
			FirstLine: s.FirstLine, Summary: s}
		if s.Lean.HasLabel() {
			score := math.Round(s.Lean.Score*100) / 100
			row.Score = &score
		}
		if p.Mirror != nil {
			v := mirrorMonth(cat, *p.Mirror, in.Period, rng)
			row.MirrorRespondents = v.Respondents
			if v.Shown {
				score := math.Round(v.Score*100) / 100
				row.MirrorScore, row.Mirror = &score, report.MirrorLine(s.Headline, v, "")
			}
		}
		out = append(out, row)
	}
	return out
}

// pick returns the index (into p.Options) of the option the persona taps.
func pick(cat *prompts.Catalogue, userID string, p prompts.Prompt, c Choose, wellbeing float64, rng *rand.Rand) int {
	shown := cat.OptionOrder(userID, p)
	if p.Dimension == prompts.Wellbeing {
		return nearest(p, shown, wellbeing, func(o prompts.Option) *int { return o.Wellbeing }, rng)
	}
	if c.Position != "" {
		switch c.Position {
		case "first":
			return shown[0]
		case "last":
			return shown[len(shown)-1]
		case "middle":
			return shown[len(shown)/2]
		}
		return shown[rng.IntN(len(shown))]
	}
	x := 0.0
	if c.Lean != nil {
		x = *c.Lean + rng.NormFloat64()*c.Spread
	}
	x = math.Max(-1, math.Min(1, x))
	return nearest(p, shown, x, func(o prompts.Option) *int { return o.Lean }, rng)
}

// nearest returns the shown option whose value/2 is nearest x, ties at random; with no valued
// option, any option at random.
func nearest(p prompts.Prompt, shown []int, x float64, value func(prompts.Option) *int, rng *rand.Rand) int {
	var best []int
	bestDist := math.Inf(1)
	for _, i := range shown {
		v := value(p.Options[i])
		if v == nil {
			continue
		}
		dist := math.Abs(float64(*v)/2 - x)
		switch {
		case dist < bestDist-1e-9:
			best, bestDist = []int{i}, dist
		case math.Abs(dist-bestDist) <= 1e-9:
			best = append(best, i)
		}
	}
	if len(best) == 0 {
		return shown[rng.IntN(len(shown))]
	}
	return best[rng.IntN(len(best))]
}

func monthIndex(first, m report.Month) int {
	return (m.Year*12 + int(m.Month)) - (first.Year*12 + int(first.Month))
}

// mirrorQuestions is how many questions a month's mirror asks (the mirror feature's Questions).
const mirrorQuestions = 3

// mirrorMonth simulates a team answering the month's mirror questions, and reads its view as the
// lead's summary would, at the product's threshold.
func mirrorMonth(cat *prompts.Catalogue, t MirrorTeam, m report.Month, rng *rand.Rand) report.MirrorView {
	rate := 1.0
	if t.AnswerRate != nil {
		rate = *t.AnswerRate
	}
	qs := cat.MirrorSet(m.Year*12+int(m.Month)-1, mirrorQuestions)
	var tallies []report.MirrorTally
	respondents := 0
	for range t.Size {
		if rng.Float64() >= rate {
			continue
		}
		respondents++
		for _, q := range qs {
			if rng.Float64() < t.NotSure {
				continue // "not sure" counts toward nothing
			}
			shown := q.Order()
			x := math.Max(-1, math.Min(1, *t.Choose.Lean+rng.NormFloat64()*t.Choose.Spread))
			i := nearest(q.Prompt, shown, x, func(o prompts.Option) *int { return o.Lean }, rng)
			if l := q.Prompt.Options[i].Lean; l != nil {
				tallies = append(tallies, report.MirrorTally{Dimension: q.Prompt.Dimension, Lean: *l, Count: 1})
			}
		}
	}
	return report.BuildMirror(tallies, respondents, report.MirrorThreshold(0))
}
