package report

import (
	"math"
	"sort"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// TrendMonths is how many months the trend covers, ending with the summarised month.
const TrendMonths = 6

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
	// strained and sustainable bound the middle of the wellbeing scale.
	strained    = -0.25
	sustainable = 0.25
)

// The values of Summary.WellbeingTrend.
const (
	TrendRising  = "rising"
	TrendFalling = "falling"
	TrendSteady  = "steady"
)

// Caveat is the sentence every summary carries (PRODUCT §5).
const Caveat = "This is a tendency read from your own answers, not a validated diagnosis."

// Answer is one recorded weekly answer: when it was given, the prompt's dimension, and how it was
// read (prompts.Reading carries the lean, its weight and any wellbeing value).
type Answer struct {
	At        time.Time
	Dimension prompts.Dimension
	Reading   prompts.Reading
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
	// Answers, Deliveries and Assessments cover at least the TrendMonths months ending with
	// Period; anything outside that window is ignored, and order does not matter.
	Answers     []Answer
	Deliveries  []Delivery
	Assessments []Assessment
}

// MonthPoint is one month of the trend.
type MonthPoint struct {
	Month Month
	// Lean is the month's weighted mean lean; HasLean is false when no answer carried a lean, and
	// then Lean is 0 and means nothing (a gap, not a zero).
	Lean    float64
	HasLean bool
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

// Summary is one person's month (PRODUCT §5): values only, rendered by Text and Chart.
type Summary struct {
	Period Month
	// Empty is true when the month has no answers at all; Text is then a short note.
	Empty bool
	// Reading is prompts.Summarise over the month's answers.
	Reading prompts.Summary
	// HasLean is true when at least one of the month's answers carried a lean. A month of
	// wellbeing checks alone has answers but no lean, and no Headline.
	HasLean bool
	// Headline is prompts.Headline(Reading.Lean), e.g. "leaning leadership (+0.42)"; empty
	// without HasLean.
	Headline string
	// FirstLine names the month and the headline, e.g. "March 2026: leaning leadership (+0.42)";
	// for an Empty month (or one with no lean) it is a short note naming the month.
	FirstLine string
	// Dimensions holds all six lean dimensions in prompts.LeanDimensions order.
	Dimensions []DimensionLine
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
	first := in.Period.add(1 - TrendMonths)
	from, end := first.Start(loc), in.Period.End(loc)

	// Bucket the window's answers by month once; the trend and the period both read from it.
	var byMonth [TrendMonths][]prompts.Scored
	var window []Answer
	for _, a := range in.Answers {
		if a.At.Before(from) || !a.At.Before(end) {
			continue
		}
		i := monthIndex(first, MonthOf(a.At, loc))
		if i < 0 || i >= TrendMonths {
			continue
		}
		byMonth[i] = append(byMonth[i], prompts.Scored{Dimension: a.Dimension, Reading: a.Reading})
		window = append(window, a)
	}

	s := Summary{Period: in.Period, Caveat: Caveat}
	s.Trend = make([]MonthPoint, TrendMonths)
	for i := range s.Trend {
		p := MonthPoint{Month: first.add(i), Answers: len(byMonth[i])}
		sum := prompts.Summarise(byMonth[i])
		if sum.Count > 0 {
			p.Lean, p.HasLean = sum.Lean, true
		}
		if sum.Wellbeing != nil {
			p.Wellbeing, p.HasWellbeing = *sum.Wellbeing, true
		}
		s.Trend[i] = p
		if i == TrendMonths-1 {
			s.Reading = sum
		}
	}

	s.Empty = len(byMonth[TrendMonths-1]) == 0
	s.HasLean = s.Reading.Count > 0
	if s.HasLean {
		s.Headline = prompts.Headline(s.Reading.Lean)
	}
	s.FirstLine = firstLine(s)
	s.WellbeingAvg = s.Reading.Wellbeing

	s.Dimensions = make([]DimensionLine, 0, 6)
	for _, d := range prompts.LeanDimensions() {
		line := DimensionLine{Dimension: d, Name: DimensionName(d)}
		if st, ok := s.Reading.Dimensions[d]; ok && st.Count > 0 {
			line.Lean, line.Count, line.HasData = st.Lean, st.Count, true
		}
		s.Dimensions = append(s.Dimensions, line)
	}

	s.WellbeingTrend = wellbeingTrend(s.Trend)
	s.Asked, s.Answered, s.Streak = responses(in.Deliveries, in.Period, loc)
	if s.Asked > 0 {
		s.ResponseRate = float64(s.Answered) / float64(s.Asked)
	}
	s.Together = together(window, loc)

	for _, a := range in.Assessments {
		if finite(a.Lean) && in.Period.contains(a.At, loc) {
			s.Assessments = append(s.Assessments, Assessment{At: a.At.In(loc), Lean: a.Lean})
		}
	}
	sort.SliceStable(s.Assessments, func(i, j int) bool { return s.Assessments[i].At.Before(s.Assessments[j].At) })

	s.suggestion = chooseSuggestion(s)
	s.Suggestion = suggestions[s.suggestion]
	return s
}

// monthIndex returns how many months m is after first.
func monthIndex(first, m Month) int {
	return (m.Year*12 + int(m.Month)) - (first.Year*12 + int(first.Month))
}

func firstLine(s Summary) string {
	switch {
	case s.Empty:
		return s.Period.Title() + ": no answers this month, so there is nothing to summarise yet."
	case !s.HasLean:
		return s.Period.Title() + ": no lean to read this month, as none of your answers leaned either way."
	}
	return s.Period.Title() + ": " + s.Headline
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
