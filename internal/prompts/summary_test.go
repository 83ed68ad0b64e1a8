package prompts

import (
	"math"
	"testing"
)

func TestLabelAndHeadline(t *testing.T) {
	tests := []struct {
		name         string
		lean         float64
		wantLabel    string
		wantHeadline string
	}{
		{"product example leadership", 0.42, LabelLeadership, "leaning leadership (+0.42)"},
		{"product example management", -0.31, LabelManagement, "leaning management (−0.31)"},
		{"product example balanced", 0.05, LabelBalanced, "balanced (+0.05)"},
		{"zero", 0, LabelBalanced, "balanced (+0.00)"},
		{"negative zero", math.Copysign(0, -1), LabelBalanced, "balanced (+0.00)"},
		{"tiny negative rounds to zero", -0.004, LabelBalanced, "balanced (+0.00)"},
		{"exactly +0.2", 0.2, LabelLeadership, "leaning leadership (+0.20)"},
		{"exactly −0.2", -0.2, LabelManagement, "leaning management (−0.20)"},
		{"−0.2 from arithmetic", (1 - 1.5) / 2.5, LabelManagement, "leaning management (−0.20)"},
		{"just under +0.2 prints +0.20", 0.19999999999, LabelLeadership, "leaning leadership (+0.20)"},
		{"just above −0.2 prints −0.20", -0.19999999999, LabelManagement, "leaning management (−0.20)"},
		{"rounds down to +0.19", 0.194, LabelBalanced, "balanced (+0.19)"},
		{"rounds up to −0.19", -0.194, LabelBalanced, "balanced (−0.19)"},
		{"half-hundredth rounds away from zero", 0.195, LabelLeadership, "leaning leadership (+0.20)"},
		{"full leadership", 1, LabelLeadership, "leaning leadership (+1.00)"},
		{"full management", -1, LabelManagement, "leaning management (−1.00)"},
		{"NaN reads as zero", math.NaN(), LabelBalanced, "balanced (+0.00)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Label(tt.lean); got != tt.wantLabel {
				t.Errorf("Label(%v): got %q, want %q", tt.lean, got, tt.wantLabel)
			}
			if got := Headline(tt.lean); got != tt.wantHeadline {
				t.Errorf("Headline(%v): got %q, want %q", tt.lean, got, tt.wantHeadline)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	option := func(lean float64) Reading { return Reading{Lean: lean, Weight: 1} }
	text := func(lean float64) Reading { return Reading{Lean: lean, Weight: TextWeight} }
	well := func(w float64) Reading { return Reading{Wellbeing: &w} }
	tests := []struct {
		name      string
		answers   []Scored
		wantLean  float64
		wantW     float64
		wantCount int
		wantLabel string
		wantDims  map[Dimension]DimensionStat
		wantWell  *float64
		wantWellN int
	}{
		{name: "no answers", wantLabel: LabelBalanced, wantDims: map[Dimension]DimensionStat{}},
		{
			name:    "text weighs half an option",
			answers: []Scored{{Direction, option(1)}, {Direction, text(-1)}},
			// (1·1 + −1·0.5) / 1.5
			wantLean: 1.0 / 3, wantW: 1.5, wantCount: 2, wantLabel: LabelLeadership,
			wantDims: map[Dimension]DimensionStat{Direction: {Lean: 1.0 / 3, Weight: 1.5, Count: 2}},
		},
		{
			name: "per-dimension means",
			answers: []Scored{
				{Change, option(-1)}, {Change, option(-0.5)}, {Horizon, text(1)}, {People, option(0)},
			},
			// (−1 − 0.5 + 0.5 + 0) / 3.5
			wantLean: -1 / 3.5, wantW: 3.5, wantCount: 4, wantLabel: LabelManagement,
			wantDims: map[Dimension]DimensionStat{
				Change:  {Lean: -0.75, Weight: 2, Count: 2},
				Horizon: {Lean: 1, Weight: TextWeight, Count: 1},
				People:  {Lean: 0, Weight: 1, Count: 1},
			},
		},
		{
			name: "unread answers and wellbeing never move the lean",
			answers: []Scored{
				{Culture, option(0.5)}, {Culture, Reading{}}, {Shared, Reading{Words: []string{"Listened"}}},
				{Wellbeing, well(-1)}, {Wellbeing, well(0.5)},
			},
			wantLean: 0.5, wantW: 1, wantCount: 1, wantLabel: LabelLeadership,
			wantDims: map[Dimension]DimensionStat{Culture: {Lean: 0.5, Weight: 1, Count: 1}},
			wantWell: floatp(-0.25), wantWellN: 2,
		},
		{
			name: "non-finite readings are ignored",
			answers: []Scored{
				{Direction, option(-0.5)}, {Direction, Reading{Lean: math.NaN(), Weight: 1}},
				{Direction, Reading{Lean: 1, Weight: math.Inf(1)}}, {Wellbeing, well(math.NaN())},
			},
			wantLean: -0.5, wantW: 1, wantCount: 1, wantLabel: LabelManagement,
			wantDims: map[Dimension]DimensionStat{Direction: {Lean: -0.5, Weight: 1, Count: 1}},
		},
		{
			name:      "wellbeing only",
			answers:   []Scored{{Wellbeing, well(1)}},
			wantLabel: LabelBalanced, wantDims: map[Dimension]DimensionStat{},
			wantWell: floatp(1), wantWellN: 1,
		},
	}
	const eps = 1e-12
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarise(tt.answers)
			if math.Abs(got.Lean-tt.wantLean) > eps || got.Weight != tt.wantW || got.Count != tt.wantCount {
				t.Errorf("got lean %v weight %v count %d, want %v, %v, %d", got.Lean, got.Weight, got.Count, tt.wantLean, tt.wantW, tt.wantCount)
			}
			if got.Label != tt.wantLabel {
				t.Errorf("label: got %q, want %q", got.Label, tt.wantLabel)
			}
			if got.Dimensions == nil {
				t.Fatalf("dimensions: got nil, want a map")
			}
			if len(got.Dimensions) != len(tt.wantDims) {
				t.Errorf("dimensions: got %v, want %v", got.Dimensions, tt.wantDims)
			}
			for d, want := range tt.wantDims {
				g := got.Dimensions[d]
				if math.Abs(g.Lean-want.Lean) > eps || g.Weight != want.Weight || g.Count != want.Count {
					t.Errorf("dimension %s: got %+v, want %+v", d, g, want)
				}
			}
			switch {
			case (got.Wellbeing == nil) != (tt.wantWell == nil):
				t.Errorf("wellbeing: got %v, want %v", got.Wellbeing, tt.wantWell)
			case got.Wellbeing != nil && math.Abs(*got.Wellbeing-*tt.wantWell) > eps:
				t.Errorf("wellbeing: got %v, want %v", *got.Wellbeing, *tt.wantWell)
			}
			if got.WellbeingCount != tt.wantWellN {
				t.Errorf("wellbeing count: got %d, want %d", got.WellbeingCount, tt.wantWellN)
			}
		})
	}
}
