package report

import (
	"fmt"
	"math"
	"strings"

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
var suggestions = map[string][]string{
	suggestionKey(prompts.Direction, prompts.LabelLeadership): {
		"On direction, your answers leaned toward painting the big picture. " +
			"Take one part of that picture and turn it into a plan this week, with goals, owners, dates and the resources it needs, " +
			"so the team can move on it without waiting for you.",
		"Your direction answers leaned toward the big picture. Pick the goal you talk about most and write down who does what by when, and which people, money or tools it needs: a vision travels further with a route attached.",
	},
	suggestionKey(prompts.Direction, prompts.LabelManagement): {
		"On direction, your answers leaned toward planning and delegating. " +
			"Spend half an hour writing down, in a few sentences, where the team is heading and why, then share it: " +
			"people carry a plan further when they can see the picture it serves.",
		"Your direction answers leaned toward plans, goals and handing out the work. At your next team meeting, open with two minutes on why this work matters and where it leads, before any task is assigned.",
	},
	suggestionKey(prompts.Change, prompts.LabelLeadership): {
		"On change, you leaned toward transformation: learning, new ideas, growth. " +
			"Look after the transactional side too: check that good work this month was noticed and rewarded, " +
			"with timely recognition, or a word about pay and benefits where one is due.",
		"Your change answers leaned toward growth and new ideas. Balance it with something tangible this month: name one person's recent result in front of the team and say what it made possible.",
	},
	suggestionKey(prompts.Change, prompts.LabelManagement): {
		"On change, you leaned toward the transactional side, trading work for recognition and reward. " +
			"Add one transformational habit, such as a short reflection or a lesson shared at the end of the week. " +
			"A 2023 study found both styles help a team get ready for change, and the transformational one prepares people better.",
		"Your change answers leaned toward clear deals: work done, recognition given. Try one learning moment this week, such as asking the team what they would do differently next time and trying one of their answers.",
	},
	suggestionKey(prompts.Culture, prompts.LabelLeadership): {
		"On culture, you leaned toward shaping the values and being their face. " +
			"Values last when a routine carries them: give one value you spoke about a home, " +
			"such as a regular session for ideas, a habit of thanking people for them, or a simple tool to collect them.",
		"Your culture answers leaned toward voicing the values. Pick one and check whether a process backs it up, a checklist, a review step, a standing slot in a meeting; if not, build the smallest one that would.",
	},
	suggestionKey(prompts.Culture, prompts.LabelManagement): {
		"On culture, you leaned toward building the systems that run it. " +
			"Step to the front once this month: say plainly which value a process serves and bring the team into one real decision, " +
			"so the systems read as a culture and not just as rules.",
		"Your culture answers leaned toward the processes that carry it. This month, tell the story behind one process: which value it protects and what went wrong before it existed.",
	},
	suggestionKey(prompts.People, prompts.LabelLeadership): {
		"With people, you leaned toward growing future leaders. " +
			"Check the other side as well: is each person's present strength used where it counts most right now? " +
			"Matching work to strengths keeps the team productive while people grow.",
		"Your people answers leaned toward coaching and growing leaders. Spend one conversation on today's work too: which task fits someone's strongest skill, and could it go to them this week?",
	},
	suggestionKey(prompts.People, prompts.LabelManagement): {
		"With people, you leaned toward putting your team's existing strengths to work. " +
			"Pick one person and spend a conversation on where they want to grow rather than on what they deliver: " +
			"coaching someone toward leading is how leadership leaves something behind.",
		"Your people answers leaned toward getting the most from strengths people already have. Offer one person a stretch: a piece of work a little beyond what they do now, with you on hand as a coach rather than a checker.",
	},
	suggestionKey(prompts.Adaptability, prompts.LabelLeadership): {
		"On adaptability, you leaned toward flexibility and risk. " +
			"Give your best new idea some stability: write down the steps that make it repeatable, " +
			"so the team can run it without improvising every time. Flexibility and stability work best as a pair.",
		"Your adaptability answers leaned toward flexibility and taking chances. Choose one thing the team does differently every time and agree a simple standard way to do it, so energy goes to the new ideas.",
	},
	suggestionKey(prompts.Adaptability, prompts.LabelManagement): {
		"On adaptability, you leaned toward stability and set procedures. " +
			"Make room for one small experiment with an end date and let someone on the team own it: " +
			"autonomy and a safe chance to fail are how people learn, and an idea that does not work can be dropped without fuss.",
		"Your adaptability answers leaned toward stable routines and protocols. Pick one rule and ask the team whether it still earns its keep; try a month without it, or with a lighter version.",
	},
	suggestionKey(prompts.Horizon, prompts.LabelLeadership): {
		"On the horizon, you leaned toward the future: trends, disruptions, where the business fits. " +
			"Check that today is not going short: is there an immediate problem or a short-term goal " +
			"that needs your hands this week?",
		"Your horizon answers leaned toward what is coming. Ground it this week: list the three most pressing problems on the team's desk today and make sure each has an owner.",
	},
	suggestionKey(prompts.Horizon, prompts.LabelManagement): {
		"On the horizon, your answers leaned toward the here and now: operations, short-term goals, problems to solve today. " +
			"Block out an hour this week for the longer view: read up on trends and possible disruptions in your market " +
			"and note one that could change your team's work.",
		"Your horizon answers leaned toward today's operations and problems. Ask one customer, peer or partner what they expect to change in the next year, and share what you hear with the team.",
	},
	suggestStrained: {
		"Your wellbeing answers this month sat on the strained side. You are far from alone: " +
			"in a 2023 survey, 64 % of managers and 75 % of C-suite leaders had seriously thought of quitting for their well-being, " +
			"against 60 % of employees. Choose one boundary to keep this week, such as a fixed end to the working day, " +
			"and keep it where the team can see it, because people take their cue on balance from whoever leads them.",
		"Your wellbeing answers this month leaned strained. Many leaders feel the same; in 2023 most managers said they had seriously considered leaving for their well-being. Pick one evening or one morning this week that stays free of work, say so to your team, and notice how it goes.",
	},
	suggestFalling: {
		"Your wellbeing has been slipping over recent months. Look at your hours: " +
			"most managers work 40 or more a week, CEOs average about 62.5, and overtime creeps in when demands pile up. " +
			"Hand one recurring task to someone on your team and trust them with it without checking every step.",
		"Your wellbeing has been drifting down for a few months. Managers commonly work 40 hours or more a week, and extra hours creep in quietly. Look at last week's calendar and remove or delegate one recurring meeting or task.",
	},
	suggestBalanced: {
		"Your month was balanced between leadership and management. Keep both at work: " +
			"take one big idea you hold and break it into its first concrete steps, " +
			"since being able to dream big and then plan the route is what makes either role pay off.",
		"Your recent answers sat between leadership and management, which is where both roles meet. Keep the pair working together: for one goal this month, write the why in a sentence and the first three steps under it.",
	},
	suggestNoLean: {
		"Your answers this month leaned neither way. Practise the skills both roles share: " +
			"in your next one-to-one, listen more than you talk and ask what would help the person feel they belong. " +
			"Belonging at work has been linked to 56 % better job performance and half the turnover.",
		"Your recent answers did not lean either way. Work on what both roles need: delegate one task in full this week and resist checking on it until the agreed time, which builds trust without micromanaging.",
	},
}

// minSuggestionAnswers is how many answers a dimension needs in the window before its lean can
// choose the suggestion: one answer is a moment, not a tendency.
const minSuggestionAnswers = 2

// chooseSuggestion picks one suggestion, deterministically, and the answer that prompted it.
// Wellbeing comes first, because a strained person gains more from balance than from a nudge in
// style; then the dimension with the most evidence of a lean over the headline's window (its mean
// weighed by how many answers stand behind it, at least minSuggestionAnswers, ties in rotation
// order), nudged toward its other pole and quoting the answer that leaned furthest that way; then
// the month as a whole.
func chooseSuggestion(s Summary, byMonth [][]Answer, first Month) (key, quote string) {
	if s.Empty {
		return "", ""
	}
	if s.WellbeingAvg != nil && *s.WellbeingAvg <= strained {
		return suggestStrained, ""
	}
	if s.WellbeingTrend == TrendFalling && (s.WellbeingAvg == nil || *s.WellbeingAvg < sustainable) {
		return suggestFalling, ""
	}
	best, bestEvidence := -1, 0.0
	for i, d := range s.Dimensions {
		if !d.HasData || d.Count < minSuggestionAnswers || prompts.Label(d.Lean) == prompts.LabelBalanced {
			continue
		}
		evidence := math.Abs(d.Lean) * float64(d.Count) / float64(d.Count+1)
		if best < 0 || evidence > bestEvidence {
			best, bestEvidence = i, evidence
		}
	}
	if best >= 0 {
		d := s.Dimensions[best]
		pole := prompts.Label(d.Lean)
		var pick Answer
		for i := range byMonth {
			if first.add(i).Before(s.Lean.From) {
				continue
			}
			for _, a := range byMonth[i] {
				if a.Dimension != d.Dimension || a.Quote == "" || !(a.Reading.Weight > 0) {
					continue
				}
				toward := a.Reading.Lean
				if pole == prompts.LabelManagement {
					toward = -toward
				}
				pickToward := pick.Reading.Lean
				if pole == prompts.LabelManagement {
					pickToward = -pickToward
				}
				if toward > 0 && (pick.Quote == "" || toward > pickToward || toward == pickToward && a.At.After(pick.At)) {
					pick = a
				}
			}
		}
		return suggestionKey(d.Dimension, pole), pick.Quote
	}
	if !s.Labelled {
		return suggestNoLean, ""
	}
	return suggestBalanced, ""
}

// suggestionText returns one of key's texts, turning with the month so the same suggestion does
// not read the same month after month.
func suggestionText(key string, period Month) string {
	texts := suggestions[key]
	if len(texts) == 0 {
		return ""
	}
	i := (period.Year*12 + int(period.Month)) % len(texts)
	return texts[i]
}

// NeedReason says in a sentence why the summary's suggestion answers Need: which reading led to
// it ("Your direction answers were leaning leadership (+0.45) from 4 answers, January
// to March 2026."), so a part of the bot that offers something for the need can say why. "" when there
// is no need.
func (s Summary) NeedReason() string {
	switch s.suggestion {
	case "":
		return ""
	case suggestStrained:
		return "Your wellbeing answers this month sat on the strained side."
	case suggestFalling:
		return "Your wellbeing has been slipping over recent months."
	case suggestBalanced:
		return "Your answers sat between leadership and management, so this keeps both at work."
	case suggestNoLean:
		return "Your answers did not lean either way yet, so this works on what both roles share."
	}
	for _, d := range s.Dimensions {
		if d.HasData && suggestionKey(d.Dimension, prompts.Label(d.Lean)) == s.suggestion {
			return fmt.Sprintf("Your %s answers were %s from %d answer%s, %s.",
				strings.ToLower(d.Name), prompts.Headline(d.Lean), d.Count, plural(d.Count), s.Lean.Span(s.Period))
		}
	}
	return ""
}
