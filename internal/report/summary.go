package report

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// TrendMonths is how many months the trend covers, ending with the summarised month.
const TrendMonths = 6

// HistoryMonths is how many months of answers Build reads, ending with the summarised month: the
// trend's months, each with the window of months its lean is read from.
const HistoryMonths = TrendMonths + maxLeanWindowMonths - 1

// Thresholds of the summary's judgements. They are on the [-1, 1] scale every reading uses.
const (
	// wellbeingSlope is the least-squares change per month beyond which wellbeing counts as
	// rising or falling rather than steady.
	wellbeingSlope = 0.05
	// minWellbeingMonths is how many months of the trend need a wellbeing reading before a
	// direction is named: two points are a difference, not a trend.
	minWellbeingMonths = 3
	// minTogetherWeeks is how many weeks each side (leaning management, leaning leadership) needs
	// before Together compares them.
	minTogetherWeeks = 2
	// togetherSame is the difference in mean wellbeing below which both sides read as the same.
	togetherSame = 0.1
	// strained and sustainable bound the middle of the wellbeing scale, as for one answer.
	strained    = prompts.WellbeingStrainedAt
	sustainable = prompts.WellbeingSustainableAt
	// leavingWellbeing is the reading of the wellbeing scale's strained end (−2 / 2), which the
	// catalogue gives to "seriously thinking of leaving": one such answer is enough to point to
	// support.
	leavingWellbeing = -1
)

// The values of Summary.WellbeingTrend.
const (
	TrendRising  = "rising"
	TrendFalling = "falling"
	TrendSteady  = "steady"
)

// Caveat is the sentence every result carries: the lean is a tendency, not a diagnosis.
const Caveat = "This is a tendency read from your own answers, not a validated diagnosis."

// Answer is one recorded weekly answer: when the prompt it answers was asked (an answer counts in
// the month of its prompt, however late it came), the prompt's dimension, and how it was read
// (prompts.Reading carries the lean, its weight and any wellbeing value).
type Answer struct {
	At        time.Time
	Dimension prompts.Dimension
	Reading   prompts.Reading
	// Quote is what the person answered, shown back to them: their written words (Written) or
	// the label of the option they chose. Empty when unknown.
	Quote   string
	Written bool
}

// Delivery is one scheduled weekly prompt and whether it was answered. Skipped and unanswered
// prompts both count as not answered. A prompt still waiting for its answer should be left out
// by the caller, or it reads as missed and ends the streak.
type Delivery struct {
	Occurrence time.Time
	Answered   bool
}

// Assessment is one on-demand assessment result. Assessments are shown apart and never mixed
// into the weekly lean.
type Assessment struct {
	At   time.Time
	Lean float64
}

// Input is everything Build needs about one person.
type Input struct {
	// Period is the month summarised.
	Period Month
	// Loc is the person's time zone: months and weeks are counted on their clock (UTC if nil).
	Loc *time.Location
	// Answers cover at least the HistoryMonths months ending with Period (each month of the trend
	// reads a window of months before it); Deliveries and Assessments at least TrendMonths.
	// Anything outside is ignored, and order does not matter.
	Answers     []Answer
	Deliveries  []Delivery
	Assessments []Assessment
	// Support is where to find support (SUPPORT_TEXT and SUPPORT_URL), shown when the month is
	// strained; empty shows nothing.
	Support string
	// Open is true while Period is still going on for the person: an empty month then waits for
	// answers ("yet") rather than having had none.
	Open bool
}

// MonthPoint is one month of the trend.
type MonthPoint struct {
	Month Month
	// Lean is the weighted mean lean of the month's own answers; HasLean is false when no answer
	// carried a lean, and then Lean is 0 and means nothing (a gap, not a zero). Team summaries
	// read these.
	Lean    float64
	HasLean bool
	// Score is the month's headline, read from the window of months ending with it
	// (LeanReading); HasScore is false when that window had too little evidence for a label, and
	// then Score means nothing (a gap). Label is the reading's label, LabelNone without one.
	Score    float64
	HasScore bool
	Label    string
	// Wellbeing is the mean wellbeing reading, meaningful only when HasWellbeing.
	Wellbeing    float64
	HasWellbeing bool
	// Answers counts every answer recorded in the month, leaning or not.
	Answers int
}

// DimensionLine is one lean dimension of the summarised month.
type DimensionLine struct {
	Dimension prompts.Dimension
	// Name is the dimension as a person reads it, e.g. "Direction".
	Name string
	// Lean is the weighted mean lean of the month's answers in this dimension, Count their
	// number; HasData is false (and Lean 0) when there were none.
	Lean    float64
	Count   int
	HasData bool
}

// Summary is one person's monthly trend summary: values only, rendered by Text and Chart.
type Summary struct {
	Period Month
	// Empty is true when the month has no answers at all; Text is then a short note.
	Empty bool
	// Open is Input.Open: the month is still going on.
	Open bool
	// Reading is prompts.Summarise over the month's answers (its wellbeing and counts).
	Reading prompts.Summary
	// Lean is the headline: the lean read from a window of months ending with the period (a
	// quarter, longer while a dimension has fewer than two answers), each dimension with an
	// equal say, shrunk toward zero when the evidence is thin. MonthLean is the month's own
	// figure, shown beside it.
	Lean, MonthLean LeanReading
	// HasLean is true when at least one of the month's answers carried a lean (Reading.Lean is
	// then the month's plain weighted mean, which team summaries read).
	HasLean bool
	// Labelled is Lean.HasLabel(): false when there is too little evidence for a label, and then
	// there is no Headline.
	Labelled bool
	// Headline is prompts.Headline(Lean.Score), e.g. "leaning leadership (+0.42)"; empty
	// without Labelled.
	Headline string
	// FirstLine names the month and the headline, e.g. "March 2026: leaning leadership (+0.42)";
	// for an Empty month (or one with too little evidence) it is a short note naming the month.
	FirstLine string
	// Dimensions holds all six lean dimensions in prompts.LeanDimensions order, over the
	// headline's window, with their counts.
	Dimensions []DimensionLine
	// SharedCount counts the answers to shared-skills prompts in the headline's window, and
	// SharedQuote is the latest of them (empty without one).
	SharedCount int
	SharedQuote string
	// Written is the latest of the month's written answers, "" without one.
	Written string
	// Trend holds the TrendMonths months ending with Period, oldest first.
	Trend []MonthPoint
	// WellbeingAvg is the month's mean wellbeing in [-1, 1], nil when there was none.
	WellbeingAvg *float64
	// WellbeingTrend is TrendRising, TrendFalling, TrendSteady, or "" when fewer than three
	// months of the trend have a wellbeing reading.
	WellbeingTrend string
	// Asked counts the month's scheduled prompts, Answered those answered; ResponseRate is
	// Answered/Asked, 0 when nothing was asked.
	Asked, Answered int
	ResponseRate    float64
	// Streak counts consecutive answered scheduled prompts, ending with the latest one before
	// the month's end.
	Streak int
	// Together is one sentence on how wellbeing differed between weeks leaning management and
	// weeks leaning leadership over the trend's months, "" without enough weeks on both sides.
	Together string
	// Suggestion is one suggestion grounded in the article, "" for an Empty month.
	Suggestion string
	// SuggestionQuote is the answer that prompted the suggestion, "" when it came from the month
	// as a whole.
	SuggestionQuote string
	// Strained is true when the month's wellbeing sat on the strained side or an answer said the
	// person is seriously thinking of leaving: the summary then points to support.
	Strained bool
	// Support is Input.Support when Strained, else "".
	Support string
	// Checks counts the month's answered wellbeing checks, apart from Answered.
	Checks int
	// Assessments are those taken in the month, oldest first, with At on the person's clock;
	// they are shown apart from the weekly lean and never counted in it.
	Assessments []Assessment
	// Caveat says the lean is a tendency, not a diagnosis.
	Caveat string

	// suggestion is the key of Suggestion in suggestions, kept for tests.
	suggestion string
}

// dimensionNames are the human names of the lean dimensions.
var dimensionNames = map[prompts.Dimension]string{
	prompts.Direction:    "Direction",
	prompts.Change:       "Change",
	prompts.Culture:      "Culture",
	prompts.People:       "People",
	prompts.Adaptability: "Adaptability",
	prompts.Horizon:      "Horizon",
}

// DimensionName returns the dimension as a person reads it, e.g. "Direction".
func DimensionName(d prompts.Dimension) string {
	if n, ok := dimensionNames[d]; ok {
		return n
	}
	return string(d)
}

// Build summarises in.Period for one person. It is a pure function of its input.
func Build(in Input) Summary {
	loc := orUTC(in.Loc)
	first := in.Period.add(1 - HistoryMonths)
	from, end := first.Start(loc), in.Period.End(loc)
	trendFirst := HistoryMonths - TrendMonths // index of the trend's first month

	// Bucket the history's answers by the month of their prompt once; the trend and the period
	// both read from it.
	byMonth := make([][]Answer, HistoryMonths)
	var window []Answer
	for _, a := range in.Answers {
		if a.At.Before(from) || !a.At.Before(end) {
			continue
		}
		i := monthIndex(first, MonthOf(a.At, loc))
		if i < 0 || i >= HistoryMonths {
			continue
		}
		byMonth[i] = append(byMonth[i], a)
		if i >= trendFirst {
			window = append(window, a)
		}
	}

	s := Summary{Period: in.Period, Open: in.Open, Caveat: Caveat}
	leans := leanSeries(byMonth, first)
	s.Trend = make([]MonthPoint, TrendMonths)
	for k := range s.Trend {
		i := trendFirst + k
		p := MonthPoint{Month: first.add(i), Answers: len(byMonth[i])}
		lean := leans[i]
		p.Label = lean.Label
		if lean.HasLabel() {
			p.Score, p.HasScore = lean.Score, true
		}
		sum := prompts.Summarise(scored(byMonth[i]))
		if sum.Count > 0 {
			p.Lean, p.HasLean = sum.Lean, true
		}
		if sum.Wellbeing != nil {
			p.Wellbeing, p.HasWellbeing = *sum.Wellbeing, true
		}
		s.Trend[k] = p
		if i == HistoryMonths-1 {
			s.Reading = sum
			s.Lean = lean
		}
	}
	last := HistoryMonths - 1
	s.MonthLean = readLean(byMonth, first, last, last)

	s.Empty = len(byMonth[last]) == 0
	s.HasLean = s.Reading.Count > 0
	s.Labelled = s.Lean.HasLabel()
	s.Headline = s.Lean.Headline()
	s.FirstLine = firstLine(s)
	s.WellbeingAvg = s.Reading.Wellbeing
	s.Dimensions = s.Lean.Dimensions

	windowStart := s.Lean.From
	for i := range byMonth {
		if first.add(i).Before(windowStart) {
			continue
		}
		for _, a := range byMonth[i] {
			if a.Dimension == prompts.Shared {
				s.SharedCount++
			}
		}
	}
	s.SharedQuote = latestQuote(byMonth, first, windowStart, func(a Answer) bool { return a.Dimension == prompts.Shared })
	s.Written = latestQuote(byMonth, first, in.Period, func(a Answer) bool { return a.Written })

	s.WellbeingTrend = wellbeingTrend(s.Trend)
	s.Asked, s.Answered, s.Streak = responses(in.Deliveries, in.Period, loc)
	if s.Asked > 0 {
		s.ResponseRate = float64(s.Answered) / float64(s.Asked)
	}
	s.Together = together(window, loc)
	s.Strained = s.WellbeingAvg != nil && *s.WellbeingAvg <= strained
	for _, a := range byMonth[last] {
		if w := a.Reading.Wellbeing; w != nil && *w <= leavingWellbeing {
			s.Strained = true
		}
		if a.Dimension == prompts.Wellbeing && a.Reading.Wellbeing != nil {
			s.Checks++
		}
	}
	if s.Strained {
		s.Support = in.Support
	}

	for _, a := range in.Assessments {
		if finite(a.Lean) && in.Period.contains(a.At, loc) {
			s.Assessments = append(s.Assessments, Assessment{At: a.At.In(loc), Lean: a.Lean})
		}
	}
	sort.SliceStable(s.Assessments, func(i, j int) bool { return s.Assessments[i].At.Before(s.Assessments[j].At) })

	s.suggestion, s.SuggestionQuote = chooseSuggestion(s, byMonth, first)
	s.Suggestion = suggestionText(s.suggestion, s.Period)
	return s
}

// scored turns answers into what prompts.Summarise reads.
func scored(as []Answer) []prompts.Scored {
	out := make([]prompts.Scored, len(as))
	for i, a := range as {
		out[i] = prompts.Scored{Dimension: a.Dimension, Reading: a.Reading}
	}
	return out
}

// latestQuote returns the quote of the latest answer from month since on that keep accepts.
func latestQuote(byMonth [][]Answer, first, since Month, keep func(Answer) bool) string {
	var best Answer
	for i := range byMonth {
		if first.add(i).Before(since) {
			continue
		}
		for _, a := range byMonth[i] {
			if a.Quote != "" && keep(a) && (best.Quote == "" || a.At.After(best.At)) {
				best = a
			}
		}
	}
	return best.Quote
}

// monthIndex returns how many months m is after first.
func monthIndex(first, m Month) int {
	return (m.Year*12 + int(m.Month)) - (first.Year*12 + int(first.Month))
}

func firstLine(s Summary) string {
	switch {
	case s.Empty && s.Open:
		return s.Period.Title() + ": no answers this month yet, so there is nothing to summarise."
	case s.Empty:
		return s.Period.Title() + ": no answers in " + s.Period.Title() + ", so there is nothing to summarise."
	case !s.Labelled && s.Lean.Answers == 0:
		return s.Period.Title() + ": no lean to read yet, as none of your recent answers leaned either way."
	case !s.Labelled:
		return fmt.Sprintf("%s: too little to read a lean from yet (%d answer%s that lean%s, across %d dimension%s).",
			s.Period.Title(), s.Lean.Answers, plural(s.Lean.Answers), verbS(s.Lean.Answers), dimensionsWithData(s.Lean), plural(dimensionsWithData(s.Lean)))
	}
	return s.Period.Title() + ": " + s.Headline
}

func dimensionsWithData(l LeanReading) int {
	n := 0
	for _, d := range l.Dimensions {
		if d.HasData {
			n++
		}
	}
	return n
}

// wellbeingTrend fits a least-squares line through the trend's months that have a wellbeing
// reading (x in months, so gaps keep their distance) and names its direction.
func wellbeingTrend(trend []MonthPoint) string {
	var n, sx, sy, sxx, sxy float64
	for i, p := range trend {
		if !p.HasWellbeing {
			continue
		}
		x := float64(i)
		n++
		sx += x
		sy += p.Wellbeing
		sxx += x * x
		sxy += x * p.Wellbeing
	}
	if n < minWellbeingMonths {
		return ""
	}
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	switch {
	case slope >= wellbeingSlope:
		return TrendRising
	case slope <= -wellbeingSlope:
		return TrendFalling
	}
	return TrendSteady
}

// responses counts the period's scheduled prompts and answers, and the streak of answered
// prompts ending with the latest one before the period's end.
func responses(ds []Delivery, period Month, loc *time.Location) (asked, answered, streak int) {
	end := period.End(loc)
	upTo := make([]Delivery, 0, len(ds))
	for _, d := range ds {
		if !d.Occurrence.Before(end) {
			continue
		}
		upTo = append(upTo, d)
		if period.contains(d.Occurrence, loc) {
			asked++
			if d.Answered {
				answered++
			}
		}
	}
	sort.SliceStable(upTo, func(i, j int) bool { return upTo[i].Occurrence.Before(upTo[j].Occurrence) })
	for i := len(upTo) - 1; i >= 0 && upTo[i].Answered; i-- {
		streak++
	}
	return asked, answered, streak
}

// isoWeek identifies a week on the person's clock.
type isoWeek struct{ year, week int }

// together compares mean wellbeing in weeks that leaned management with weeks that leaned
// leadership. A week's lean and wellbeing are those of its own answers (a week needs both);
// its label uses the same thresholds as a month's.
func together(answers []Answer, loc *time.Location) string {
	weeks := make(map[isoWeek][]prompts.Scored)
	for _, a := range answers {
		y, w := a.At.In(loc).ISOWeek()
		k := isoWeek{y, w}
		weeks[k] = append(weeks[k], prompts.Scored{Dimension: a.Dimension, Reading: a.Reading})
	}
	var mgmt, lead []float64
	for _, scored := range weeks {
		sum := prompts.Summarise(scored)
		if sum.Count == 0 || sum.Wellbeing == nil {
			continue
		}
		switch sum.Label {
		case prompts.LabelManagement:
			mgmt = append(mgmt, *sum.Wellbeing)
		case prompts.LabelLeadership:
			lead = append(lead, *sum.Wellbeing)
		}
	}
	if len(mgmt) < minTogetherWeeks || len(lead) < minTogetherWeeks {
		return ""
	}
	m, l := mean(mgmt), mean(lead)
	switch {
	case m-l <= -togetherSame:
		return "In weeks you leaned management your wellbeing was lower (" + signed(m) +
			" on average) than in weeks you leaned leadership (" + signed(l) + ")."
	case m-l >= togetherSame:
		return "In weeks you leaned management your wellbeing was higher (" + signed(m) +
			" on average) than in weeks you leaned leadership (" + signed(l) + ")."
	}
	return "Your wellbeing was about the same in weeks you leaned management (" + signed(m) +
		" on average) and in weeks you leaned leadership (" + signed(l) + ")."
}

// mean sums in a fixed order: map iteration order must not change a printed figure.
func mean(xs []float64) float64 {
	sort.Float64s(xs)
	var t float64
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

// signed formats a score the way prompts.Headline does: two decimals, always signed, with the
// U+2212 minus sign, and no "−0.00".
func signed(f float64) string {
	h := prompts.Headline(f)
	// Headline ends with "(<score>)"; reuse its rounding rather than repeat it.
	open := len(h) - 1
	for open > 0 && h[open] != '(' {
		open--
	}
	return h[open+1 : len(h)-1]
}

// finite reports whether f is a usable number.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// verbS is the "s" of a verb after a count: "1 answer that leans", "2 answers that lean".
func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// Need is what the summary's suggestion answers, so that another part of the bot can offer its
// own for the same need: a lean dimension and the pole the person leaned toward
// ("direction-leadership", "horizon-management"), "wellbeing-strained", "wellbeing-falling",
// "balanced" or "no-lean"; "" for an Empty month.
func (s Summary) Need() string { return s.suggestion }
