package report

import (
	"math"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// Keys of the suggestions that are not about one dimension.
const (
	suggestStrained = "wellbeing-strained"
	suggestFalling  = "wellbeing-falling"
	suggestBalanced = "balanced"
	suggestNoLean   = "no-lean"
)

// suggestionKey names the suggestion for a dimension that leaned toward pole.
func suggestionKey(d prompts.Dimension, pole string) string { return string(d) + "-" + pole }

// suggestions holds every suggestion a summary can carry, each drawn from a point of the article
// (BetterUp, June 2024) and written afresh. A dimension's suggestion points toward the pole the
// month leaned away from, since the article's closing advice is to grow both skill sets.
var suggestions = map[string]string{
	suggestionKey(prompts.Direction, prompts.LabelLeadership): "On direction, your answers leaned toward painting the big picture. " +
		"Take one part of that picture and turn it into a plan this week, with goals, owners, dates and the resources it needs, " +
		"so the team can move on it without waiting for you.",
	suggestionKey(prompts.Direction, prompts.LabelManagement): "On direction, your answers leaned toward planning and delegating. " +
		"Spend half an hour writing down, in a few sentences, where the team is heading and why, then share it: " +
		"people carry a plan further when they can see the picture it serves.",
	suggestionKey(prompts.Change, prompts.LabelLeadership): "On change, you leaned toward transformation: learning, new ideas, growth. " +
		"Look after the transactional side too: check that good work this month was noticed and rewarded, " +
		"with timely recognition, or a word about pay and benefits where one is due.",
	suggestionKey(prompts.Change, prompts.LabelManagement): "On change, you leaned toward the transactional side, trading work for recognition and reward. " +
		"Add one transformational habit, such as a short reflection or a lesson shared at the end of the week. " +
		"A 2023 study found both styles help a team get ready for change, and the transformational one prepares people better.",
	suggestionKey(prompts.Culture, prompts.LabelLeadership): "On culture, you leaned toward shaping the values and being their face. " +
		"Values last when a routine carries them: give one value you spoke about a home, " +
		"such as a regular session for ideas, a habit of thanking people for them, or a simple tool to collect them.",
	suggestionKey(prompts.Culture, prompts.LabelManagement): "On culture, you leaned toward building the systems that run it. " +
		"Step to the front once this month: say plainly which value a process serves and bring the team into one real decision, " +
		"so the systems read as a culture and not just as rules.",
	suggestionKey(prompts.People, prompts.LabelLeadership): "With people, you leaned toward growing future leaders. " +
		"Check the other side as well: is each person's present strength used where it counts most right now? " +
		"Matching work to strengths keeps the team productive while people grow.",
	suggestionKey(prompts.People, prompts.LabelManagement): "With people, you leaned toward putting your team's existing strengths to work. " +
		"Pick one person and spend a conversation on where they want to grow rather than on what they deliver: " +
		"coaching someone toward leading is how leadership leaves something behind.",
	suggestionKey(prompts.Adaptability, prompts.LabelLeadership): "On adaptability, you leaned toward flexibility and risk. " +
		"Give your best new idea some stability: write down the steps that make it repeatable, " +
		"so the team can run it without improvising every time. Flexibility and stability work best as a pair.",
	suggestionKey(prompts.Adaptability, prompts.LabelManagement): "On adaptability, you leaned toward stability and set procedures. " +
		"Make room for one small experiment with an end date and let someone on the team own it: " +
		"autonomy and a safe chance to fail are how people learn, and an idea that does not work can be dropped without fuss.",
	suggestionKey(prompts.Horizon, prompts.LabelLeadership): "On the horizon, you leaned toward the future: trends, disruptions, where the business fits. " +
		"Check that today is not going short: is there an immediate problem or a short-term goal " +
		"that needs your hands this week?",
	suggestionKey(prompts.Horizon, prompts.LabelManagement): "On the horizon, your answers leaned toward the here and now: operations, short-term goals, problems to solve today. " +
		"Block out an hour this week for the longer view: read up on trends and possible disruptions in your market " +
		"and note one that could change your team's work.",
	suggestStrained: "Your wellbeing answers this month sat on the strained side. You are far from alone: " +
		"in a 2023 survey, 64 % of managers and 75 % of C-suite leaders had seriously thought of quitting for their well-being, " +
		"against 60 % of employees. Choose one boundary to keep this week, such as a fixed end to the working day, " +
		"and keep it where the team can see it, because people take their cue on balance from whoever leads them.",
	suggestFalling: "Your wellbeing has been slipping over recent months. Look at your hours: " +
		"most managers work 40 or more a week, CEOs average about 62.5, and overtime creeps in when demands pile up. " +
		"Hand one recurring task to someone on your team and trust them with it without checking every step.",
	suggestBalanced: "Your month was balanced between leadership and management. Keep both at work: " +
		"take one big idea you hold and break it into its first concrete steps, " +
		"since being able to dream big and then plan the route is what makes either role pay off.",
	suggestNoLean: "Your answers this month leaned neither way. Practise the skills both roles share: " +
		"in your next one-to-one, listen more than you talk and ask what would help the person feel they belong. " +
		"Belonging at work has been linked to 56 % better job performance and half the turnover.",
}

// chooseSuggestion picks one suggestion, deterministically. Wellbeing comes first, because a
// strained person gains more from balance than from a nudge in style; then the dimension that
// leaned furthest (ties in rotation order), nudged toward its other pole; then the month as a
// whole.
func chooseSuggestion(s Summary) string {
	if s.Empty {
		return ""
	}
	if s.WellbeingAvg != nil && *s.WellbeingAvg <= strained {
		return suggestStrained
	}
	if s.WellbeingTrend == TrendFalling && (s.WellbeingAvg == nil || *s.WellbeingAvg < sustainable) {
		return suggestFalling
	}
	best, bestLean := -1, 0.0
	for i, d := range s.Dimensions {
		if !d.HasData || prompts.Label(d.Lean) == prompts.LabelBalanced {
			continue
		}
		if best < 0 || math.Abs(d.Lean) > math.Abs(bestLean) {
			best, bestLean = i, d.Lean
		}
	}
	if best >= 0 {
		return suggestionKey(s.Dimensions[best].Dimension, prompts.Label(bestLean))
	}
	if !s.HasLean {
		return suggestNoLean
	}
	return suggestBalanced
}
