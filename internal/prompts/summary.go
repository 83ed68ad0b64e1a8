package prompts

import (
	"fmt"
	"math"
)

// The labels of a period, as Label returns them.
const (
	LabelLeadership = "leadership"
	LabelManagement = "management"
	LabelBalanced   = "balanced"
)

// labelThreshold is the ±0.2 that separates a lean from balanced, in hundredths: labels are
// decided on the score as printed.
const labelThreshold = 20

// WellbeingStrainedAt and WellbeingSustainableAt bound the middle of the wellbeing scale (−1
// strained … +1 sustainable): a value at or below the first reads as strained, at or above the
// second as sustainable. One answer and a month's average are described with the same bounds.
const (
	WellbeingStrainedAt    = -0.25
	WellbeingSustainableAt = 0.25
)

// WellbeingSide describes a wellbeing value: "on the strained side", "on the sustainable side" or
// "in the middle".
func WellbeingSide(w float64) string {
	switch {
	case w <= WellbeingStrainedAt:
		return "on the strained side"
	case w >= WellbeingSustainableAt:
		return "on the sustainable side"
	}
	return "in the middle"
}

// Scored is one answer as it enters a period summary.
type Scored struct {
	Dimension Dimension
	Reading   Reading
}

// DimensionStat is the weighted mean lean of one dimension's answers in a period.
type DimensionStat struct {
	Lean   float64
	Weight float64
	Count  int
}

// Summary is a period's reading of a person (or a team): the lean and its label, per-dimension
// means, and wellbeing reported apart, never mixed into the lean.
type Summary struct {
	// Lean is the weighted mean lean over answers with Weight > 0; Weight is their total weight and
	// Count their number. With no such answers Lean is 0.
	Lean   float64
	Weight float64
	Count  int
	// Label is Label(Lean).
	Label string
	// Dimensions holds a stat for each dimension with at least one weighted answer; never nil.
	Dimensions map[Dimension]DimensionStat
	// Wellbeing is the plain mean of the wellbeing readings, nil when there were none.
	Wellbeing      *float64
	WellbeingCount int
}

// Summarise folds a period's answers into a Summary. Answers that carry no lean (weight 0) do not
// count toward the lean, so skipping a scale or answering a wellbeing check never dilutes it.
// Readings with a non-finite lean, weight or wellbeing are ignored rather than poisoning the mean.
func Summarise(answers []Scored) Summary {
	s := Summary{Dimensions: make(map[Dimension]DimensionStat)}
	var sum, wellSum float64
	dimSums := make(map[Dimension]float64)
	for _, a := range answers {
		r := a.Reading
		if r.Wellbeing != nil && finite(*r.Wellbeing) {
			wellSum += *r.Wellbeing
			s.WellbeingCount++
		}
		if !(r.Weight > 0) || !finite(r.Weight) || !finite(r.Lean) {
			continue
		}
		sum += r.Lean * r.Weight
		s.Weight += r.Weight
		s.Count++
		d := s.Dimensions[a.Dimension]
		d.Weight += r.Weight
		d.Count++
		s.Dimensions[a.Dimension] = d
		dimSums[a.Dimension] += r.Lean * r.Weight
	}
	if s.Weight > 0 {
		s.Lean = sum / s.Weight
	}
	for dim, d := range s.Dimensions {
		d.Lean = dimSums[dim] / d.Weight
		s.Dimensions[dim] = d
	}
	s.Label = Label(s.Lean)
	if s.WellbeingCount > 0 {
		w := wellSum / float64(s.WellbeingCount)
		s.Wellbeing = &w
	}
	return s
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// hundredths rounds lean to whole hundredths, the precision every score is shown with. Rounding
// once, here, is what keeps a label from disagreeing with its printed score (−0.199999… prints as
// −0.20 and must read management). NaN counts as 0.
func hundredths(lean float64) int {
	if math.IsNaN(lean) {
		return 0
	}
	r := math.Round(lean * 100)
	switch {
	case r > 1e6:
		return 1e6
	case r < -1e6:
		return -1e6
	}
	return int(r)
}

// Label returns "leadership" for a lean of +0.2 or more, "management" for −0.2 or less, and
// "balanced" in between, judged on the lean rounded to two decimals as Headline prints it.
func Label(lean float64) string {
	switch h := hundredths(lean); {
	case h >= labelThreshold:
		return LabelLeadership
	case h <= -labelThreshold:
		return LabelManagement
	}
	return LabelBalanced
}

// Headline returns the exact phrase used by other tools: "leaning leadership (+0.42)",
// "leaning management (−0.31)" (U+2212 minus sign, the typographic minus) or "balanced (+0.05)";
// the score rounded to two decimals and always signed ("+0.00" for zero, negative zero included).
func Headline(lean float64) string {
	h := hundredths(lean)
	sign := "+"
	if h < 0 {
		sign, h = "−", -h
	}
	score := fmt.Sprintf("%s%d.%02d", sign, h/100, h%100)
	if l := Label(lean); l != LabelBalanced {
		return "leaning " + l + " (" + score + ")"
	}
	return LabelBalanced + " (" + score + ")"
}
