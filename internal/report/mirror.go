package report

import (
	"fmt"
	"math"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// MirrorMin is the fewest members who must have answered a month's team mirror before the lead
// sees it, whatever TEAM_MIN_RESPONDENTS says: below five, a lead who knows who answered could
// guess who said what.
const MirrorMin = 5

// MirrorThreshold is how many members must have answered a month's mirror before the lead sees
// it: max(TEAM_MIN_RESPONDENTS, MirrorMin), with 0 meaning DefaultMinRespondents.
func MirrorThreshold(teamMin int) int {
	if teamMin <= 0 {
		teamMin = DefaultMinRespondents
	}
	return max(teamMin, MirrorMin)
}

// MirrorTally is how many times one option of one mirror question was chosen in a month: the
// store keeps nothing finer. "Not sure" is not a tally: it carries no lean and counts toward
// nothing.
type MirrorTally struct {
	Dimension prompts.Dimension
	Lean      int // the option's lean, −2 (management) … +2 (leadership)
	Count     int
}

// MirrorView is a team's view of its lead in one month, as the lead may see it.
type MirrorView struct {
	// Respondents is how many members answered at least one question.
	Respondents int
	// Shown is false when fewer than the threshold answered (or nothing they said leans either
	// way): the lead then sees nothing of the month, not even how many answered.
	Shown bool
	// Score is the team's lean on the lead's own scale, in [−1, 1]; Headline is
	// prompts.Headline(Score).
	Score    float64
	Headline string
}

// BuildMirror reads a month's mirror tallies on the scale of a person's own lean: each answer
// counts its option's lean / 2 (as a person's own chosen option does), each dimension has an
// equal say, and the whole is shrunk toward zero by the same priors, so "balanced (+0.05)" means
// the same beside the lead's own reading. It is shown only when at least threshold members
// answered.
func BuildMirror(tallies []MirrorTally, respondents, threshold int) MirrorView {
	v := MirrorView{Respondents: respondents}
	var answers []Answer
	for _, t := range tallies {
		for range max(t.Count, 0) {
			answers = append(answers, Answer{Dimension: t.Dimension,
				Reading: prompts.Reading{Lean: float64(t.Lean) / 2, Weight: 1}})
		}
	}
	r := readLean([][]Answer{answers}, Month{}, 0, 0)
	if respondents < threshold || r.Answers == 0 || math.IsNaN(r.Score) {
		return v
	}
	v.Shown, v.Score, v.Headline = true, r.Score, prompts.Headline(r.Score)
	return v
}

// MirrorLine is the lead's summary line with the team's view beside their own: "You: leaning
// management (−0.30). Your team sees: balanced (+0.05), from 6 people". own is the lead's own
// headline, "" when there is too little to read. channel names the team when the lead has more
// than one ("" leaves it out).
func MirrorLine(own string, v MirrorView, channel string) string {
	if own == "" {
		own = "too little to read yet"
	}
	team := "Your team"
	if channel != "" {
		team = "Your team in " + channel
	}
	return fmt.Sprintf("You: %s. %s sees: %s, from %d people", own, team, v.Headline, v.Respondents)
}
