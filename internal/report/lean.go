package report

import (
	"math"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// LabelNone is the label of a period with too little evidence to read a lean from.
const LabelNone = "none"

// How a period's lean is read. A single month holds four or five prompts, so it sees
// only some of the six dimensions, once each: its own figure says more about which prompts came up
// than about the person. The headline therefore reads a window of months ending with the period.
const (
	// leanWindowMonths is the shortest window the headline reads: a quarter, which the rotation
	// fills with about two answers per dimension.
	leanWindowMonths = 3
	// maxLeanWindowMonths is how far the window grows, month by month, while some dimension has
	// fewer than minPerDimension answers in it.
	maxLeanWindowMonths = 6
	// minPerDimension is how many answers each dimension should have in the window.
	minPerDimension = 2
	// dimensionPrior is the weight of an imaginary neutral answer added to every dimension: one
	// answer alone does not speak for a whole dimension with full force.
	dimensionPrior = 0.5
	// leanPrior is the weight of imaginary neutral answers added to the whole window: thin
	// evidence is shrunk toward zero, plenty of evidence hardly at all.
	leanPrior = 2.0
	// minEvidence is the least total weight (a chosen option weighs 1, a read text less) and
	// minDimensions the fewest dimensions a window needs before it gets a label at all.
	minEvidence   = 6.0
	minDimensions = 4
	// changeMargin is how far the last quarter's own reading must sit from the grown window's
	// before the quarter alone is read: the person has changed, and older months no longer
	// describe them.
	changeMargin = 0.15
)

// LeanReading is the lean of a window of answers: the mean of the dimension means (each dimension
// has an equal say, however many of its prompts came up), shrunk toward zero by a prior weight.
type LeanReading struct {
	// Score is the shrunk mean of dimension means, in [-1, 1].
	Score float64
	// Label is prompts.Label(Score), or LabelNone when the window holds less than minEvidence of
	// weight or fewer than minDimensions dimensions.
	Label string
	// Answers counts the answers that carried a lean; Weight is their total weight.
	Answers int
	Weight  float64
	// Months is how many months the window covers, ending with the period; From is its first.
	Months int
	From   Month
	// Dimensions holds all six lean dimensions in prompts.LeanDimensions order, over the window.
	Dimensions []DimensionLine
}

// HasLabel reports whether the reading has enough evidence for a label.
func (l LeanReading) HasLabel() bool { return l.Label != LabelNone && l.Label != "" }

// Headline returns prompts.Headline(Score), or "" without a label.
func (l LeanReading) Headline() string {
	if !l.HasLabel() {
		return ""
	}
	return prompts.Headline(l.Score)
}

// readLean reads the lean of the answers in months [first, last] of byMonth (indices into it).
func readLean(byMonth [][]Answer, firstMonth Month, first, last int) LeanReading {
	type acc struct {
		sum, weight float64
		n           int
	}
	dims := make(map[prompts.Dimension]*acc)
	r := LeanReading{Months: last - first + 1, From: firstMonth.add(first)}
	for i := first; i <= last; i++ {
		if i < 0 || i >= len(byMonth) {
			continue
		}
		for _, a := range byMonth[i] {
			rd := a.Reading
			if !a.Dimension.IsLean() || !(rd.Weight > 0) || !finite(rd.Weight) || !finite(rd.Lean) {
				continue
			}
			d := dims[a.Dimension]
			if d == nil {
				d = &acc{}
				dims[a.Dimension] = d
			}
			d.sum += rd.Lean * rd.Weight
			d.weight += rd.Weight
			d.n++
			r.Answers++
			r.Weight += rd.Weight
		}
	}
	var means float64
	present := 0
	for _, dim := range prompts.LeanDimensions() {
		line := DimensionLine{Dimension: dim, Name: DimensionName(dim)}
		if d := dims[dim]; d != nil {
			line.Lean, line.Count, line.HasData = d.sum/d.weight, d.n, true
			means += d.sum / (d.weight + dimensionPrior)
			present++
		}
		r.Dimensions = append(r.Dimensions, line)
	}
	if present > 0 {
		r.Score = means / float64(present) * r.Weight / (r.Weight + leanPrior)
		r.Score = math.Max(-1, math.Min(1, r.Score))
	}
	r.Label = LabelNone
	if r.Weight >= minEvidence && present >= minDimensions {
		r.Label = prompts.Label(r.Score)
	}
	return r
}

// leanSeries reads the headline lean for every month of byMonth, oldest first. Month i reads a
// quarter ending with it, grown month by month (up to maxLeanWindowMonths) while a dimension has
// fewer than minPerDimension answers. When the quarter alone reads a label at least changeMargin
// away from the grown window, the person has changed: the quarter is read instead, and no later
// month's window reaches back past the start of that quarter, so a change shows within three
// months and is not averaged away again afterwards.
func leanSeries(byMonth [][]Answer, firstMonth Month) []LeanReading {
	out := make([]LeanReading, len(byMonth))
	floor := 0 // no window starts before this month index
	for end := range byMonth {
		quarter := readLean(byMonth, firstMonth, max(end-leanWindowMonths+1, floor), end)
		r := quarter
		for months := leanWindowMonths + 1; months <= maxLeanWindowMonths; months++ {
			enough := true
			for _, d := range r.Dimensions {
				if d.Count < minPerDimension {
					enough = false
				}
			}
			if enough || end-months+1 < floor {
				break
			}
			r = readLean(byMonth, firstMonth, end-months+1, end)
		}
		if r.Months > quarter.Months && quarter.HasLabel() && math.Abs(quarter.Score-r.Score) >= changeMargin {
			// Only a quarter that reads a pole the longer window does not keeps later windows
			// from reaching back: a steady person's weaker quarter is read alone this month and
			// no longer.
			if quarter.Label != prompts.LabelBalanced && quarter.Label != r.Label {
				floor = max(floor, end-leanWindowMonths+1)
			}
			r = quarter
		}
		out[end] = r
	}
	return out
}
