package report

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// evenly returns two answers in each of the six lean dimensions, leaning lean, spread over the
// quarter ending with March 2026 (read on loc's clock): the evidence a steady person gives.
func evenly(loc *time.Location, lean float64) []Answer {
	if loc == nil {
		loc = time.UTC
	}
	var out []Answer
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, loc)
	for i := range 2 {
		for _, d := range prompts.LeanDimensions() {
			out = append(out, chosen(d, at, lean))
			at = at.AddDate(0, 0, 7)
		}
		_ = i
	}
	return out
}

func TestBuildFirstLine(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	tests := []struct {
		name        string
		loc         *time.Location
		answers     []Answer
		want        string
		wantEmpty   bool
		open        bool
		wantLabel   string
		wantAnswers int
	}{
		{
			// Two answers a dimension: each dimension mean shrinks by 2/(2+0.5), the whole by
			// 12/(12+2): 0.6 reads 0.6 × 0.8 × 12/14 = 0.41.
			name: "leadership", answers: evenly(nil, 0.6),
			want: "March 2026: leaning leadership (+0.41)", wantLabel: prompts.LabelLeadership, wantAnswers: 12,
		},
		{
			name: "management, with the U+2212 minus", answers: evenly(nil, -0.5),
			want: "March 2026: leaning management (\u22120.34)", wantLabel: prompts.LabelManagement, wantAnswers: 12,
		},
		{
			name: "balanced", answers: evenly(nil, 0.1),
			want: "March 2026: balanced (+0.07)", wantLabel: prompts.LabelBalanced, wantAnswers: 12,
		},
		{
			name:      "one strong answer is too little to read",
			answers:   []Answer{chosen(prompts.Horizon, day(2026, 3, 2), -1)},
			want:      "March 2026: too little to read a lean from yet (1 answer that leans, across 1 dimension).",
			wantLabel: LabelNone, wantAnswers: 1,
		},
		{
			name: "months are the person's: 31 March 20:00 in Los Angeles is April in UTC",
			loc:  la,
			answers: append(evenly(la, 0.6),
				chosen(prompts.Change, time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC), 0.6),
				chosen(prompts.Change, time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), 0.6), // 31 December there
			),
			want: "March 2026: leaning leadership (+0.42)", wantLabel: prompts.LabelLeadership, wantAnswers: 13,
		},
		{
			name:      "empty month, answers before it",
			answers:   []Answer{chosen(prompts.Direction, day(2026, 2, 20), 1)},
			want:      "March 2026: no answers in March 2026, so there is nothing to summarise.",
			wantEmpty: true, wantLabel: LabelNone, wantAnswers: 1,
		},
		{
			name:      "no answers yet in a month still going on",
			open:      true,
			want:      "March 2026: no answers this month yet, so there is nothing to summarise.",
			wantEmpty: true, wantLabel: LabelNone,
		},
		{
			name:      "no answers at all",
			want:      "March 2026: no answers in March 2026, so there is nothing to summarise.",
			wantEmpty: true, wantLabel: LabelNone,
		},
		{
			name:      "wellbeing checks only: answers but no lean",
			answers:   []Answer{checked(day(2026, 3, 2), 0.5)},
			want:      "March 2026: no lean to read yet, as none of your recent answers leaned either way.",
			wantLabel: LabelNone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Build(Input{Period: march2026, Loc: tt.loc, Answers: tt.answers, Open: tt.open})
			if s.FirstLine != tt.want {
				t.Errorf("FirstLine = %q, want %q", s.FirstLine, tt.want)
			}
			if s.Empty != tt.wantEmpty {
				t.Errorf("Empty = %v, want %v", s.Empty, tt.wantEmpty)
			}
			if s.Lean.Label != tt.wantLabel {
				t.Errorf("Lean.Label = %q, want %q", s.Lean.Label, tt.wantLabel)
			}
			if s.Lean.Answers != tt.wantAnswers {
				t.Errorf("Lean.Answers = %d, want %d", s.Lean.Answers, tt.wantAnswers)
			}
			wantHeadline := ""
			if tt.wantLabel != LabelNone {
				wantHeadline = prompts.Headline(s.Lean.Score)
			}
			if s.Headline != wantHeadline || s.Labelled != (wantHeadline != "") {
				t.Errorf("Headline, Labelled = %q, %v, want %q", s.Headline, s.Labelled, wantHeadline)
			}
			if got := strings.SplitN(s.Text(), "\n", 2)[0]; got != s.FirstLine {
				t.Errorf("Text() starts with %q, want FirstLine %q", got, s.FirstLine)
			}
		})
	}
}

func TestBuildDimensions(t *testing.T) {
	s := Build(Input{Period: march2026, Answers: []Answer{
		chosen(prompts.Direction, day(2026, 3, 2), 1),
		chosen(prompts.Direction, day(2026, 3, 9), 0),
		typed(prompts.Change, day(2026, 3, 3), -1),
		chosen(prompts.Horizon, day(2026, 3, 16), -0.5),
		chosen(prompts.Horizon, day(2026, 3, 23), -0.5),
		typed(prompts.Horizon, day(2026, 3, 24), 1),
		chosen(prompts.Shared, day(2026, 3, 4), 0.5), // shared carries a weight here but is not a lean dimension
		checked(day(2026, 3, 2), -1),
		chosen(prompts.People, day(2026, 2, 27), 1), // February
	}})
	want := []DimensionLine{
		{Dimension: prompts.Direction, Name: "Direction", Lean: 0.5, Count: 2, HasData: true},
		{Dimension: prompts.Change, Name: "Change", Lean: -1, Count: 1, HasData: true},
		{Dimension: prompts.Culture, Name: "Culture"},
		{Dimension: prompts.People, Name: "People", Lean: 1, Count: 1, HasData: true}, // February is in the window
		{Dimension: prompts.Adaptability, Name: "Adaptability"},
		{Dimension: prompts.Horizon, Name: "Horizon", Lean: -0.2, Count: 3, HasData: true},
	}
	if len(s.Dimensions) != len(want) {
		t.Fatalf("got %d dimensions, want %d", len(s.Dimensions), len(want))
	}
	for i, w := range want {
		g := s.Dimensions[i]
		if g.Dimension != w.Dimension || g.Name != w.Name || g.Count != w.Count || g.HasData != w.HasData || !near(g.Lean, w.Lean) {
			t.Errorf("Dimensions[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func TestBuildTrend(t *testing.T) {
	answers := []Answer{
		chosen(prompts.Direction, day(2025, 9, 30), -1), // before the window
		chosen(prompts.Direction, day(2025, 10, 1), 1),
		chosen(prompts.Change, day(2025, 10, 8), 0),
		checked(day(2025, 10, 8), 0.5),
		checked(day(2025, 12, 3), -0.5), // December: wellbeing only
		typed(prompts.Culture, day(2026, 1, 14), -1),
		chosen(prompts.People, day(2026, 3, 31), -0.5),
		checked(day(2026, 3, 31), 1),
		checked(day(2026, 3, 2), 0),
		chosen(prompts.People, day(2026, 4, 1), 1), // after the period
	}
	s := Build(Input{Period: march2026, Answers: answers})
	want := []MonthPoint{
		{Month: Month{2025, time.October}, Lean: 0.5, HasLean: true, Wellbeing: 0.5, HasWellbeing: true, Answers: 3},
		{Month: Month{2025, time.November}},
		{Month: Month{2025, time.December}, Wellbeing: -0.5, HasWellbeing: true, Answers: 1},
		{Month: Month{2026, time.January}, Lean: -1, HasLean: true, Answers: 1},
		{Month: Month{2026, time.February}},
		{Month: Month{2026, time.March}, Lean: -0.5, HasLean: true, Wellbeing: 0.5, HasWellbeing: true, Answers: 3},
	}
	if len(s.Trend) != len(want) {
		t.Fatalf("got %d trend months, want %d", len(s.Trend), len(want))
	}
	for i, w := range want {
		g := s.Trend[i]
		if g.Month != w.Month || g.HasLean != w.HasLean || g.HasWellbeing != w.HasWellbeing || g.Answers != w.Answers ||
			!near(g.Lean, w.Lean) || !near(g.Wellbeing, w.Wellbeing) {
			t.Errorf("Trend[%d] = %+v, want %+v", i, g, w)
		}
	}
	if s.WellbeingAvg == nil || !near(*s.WellbeingAvg, 0.5) {
		t.Errorf("WellbeingAvg = %v, want 0.5", s.WellbeingAvg)
	}
}

func TestBuildTrendAcrossYearEnd(t *testing.T) {
	s := Build(Input{Period: Month{2026, time.February}})
	var got []string
	for _, p := range s.Trend {
		got = append(got, p.Month.String())
	}
	want := "2025-09 2025-10 2025-11 2025-12 2026-01 2026-02"
	if strings.Join(got, " ") != want {
		t.Errorf("trend months = %v, want %s", got, want)
	}
}

func TestBuildResponses(t *testing.T) {
	tests := []struct {
		name                    string
		deliveries              []Delivery
		wantAsked, wantAnswered int
		wantRate                float64
		wantStreak              int
	}{
		{name: "nothing scheduled"},
		{
			name: "one skipped early on",
			deliveries: []Delivery{
				delivered(day(2026, 3, 2), true), delivered(day(2026, 3, 9), false),
				delivered(day(2026, 3, 16), true), delivered(day(2026, 3, 23), true),
			},
			wantAsked: 4, wantAnswered: 3, wantRate: 0.75, wantStreak: 2,
		},
		{
			name: "the streak runs back into February, in any input order",
			deliveries: []Delivery{
				delivered(day(2026, 3, 9), true), delivered(day(2026, 2, 16), false),
				delivered(day(2026, 2, 23), true), delivered(day(2026, 3, 2), true),
				delivered(day(2026, 2, 9), true),
			},
			wantAsked: 2, wantAnswered: 2, wantRate: 1, wantStreak: 3,
		},
		{
			name: "the latest one missed ends the streak",
			deliveries: []Delivery{
				delivered(day(2026, 3, 2), true), delivered(day(2026, 3, 9), true), delivered(day(2026, 3, 30), false),
			},
			wantAsked: 3, wantAnswered: 2, wantRate: 2.0 / 3, wantStreak: 0,
		},
		{
			name: "prompts after the month do not count",
			deliveries: []Delivery{
				delivered(day(2026, 3, 30), true), delivered(day(2026, 4, 6), false), delivered(day(2026, 4, 13), false),
			},
			wantAsked: 1, wantAnswered: 1, wantRate: 1, wantStreak: 1,
		},
		{
			name:       "no prompts this month, a streak from before",
			deliveries: []Delivery{delivered(day(2026, 2, 23), true), delivered(day(2026, 2, 16), true)},
			wantStreak: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Build(Input{Period: march2026, Deliveries: tt.deliveries})
			if s.Asked != tt.wantAsked || s.Answered != tt.wantAnswered {
				t.Errorf("Asked, Answered = %d, %d, want %d, %d", s.Asked, s.Answered, tt.wantAsked, tt.wantAnswered)
			}
			if !near(s.ResponseRate, tt.wantRate) {
				t.Errorf("ResponseRate = %v, want %v", s.ResponseRate, tt.wantRate)
			}
			if s.Streak != tt.wantStreak {
				t.Errorf("Streak = %d, want %d", s.Streak, tt.wantStreak)
			}
		})
	}
}

func TestWellbeingTrend(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		wells [TrendMonths]float64 // NaN: no reading that month
		want  string
	}{
		{name: "rising", wells: [6]float64{nan, nan, -0.5, 0, nan, 0.5}, want: TrendRising},
		{name: "falling", wells: [6]float64{0.5, 0.5, 0.25, 0, -0.25, -0.5}, want: TrendFalling},
		{name: "steady with noise", wells: [6]float64{0.2, 0.3, 0.2, 0.25, 0.3, 0.2}, want: TrendSteady},
		// Read as three consecutive months this would rise by 0.1 a month; over five it is steady.
		{name: "gaps keep their distance", wells: [6]float64{0, nan, nan, nan, 0.15, 0.2}, want: TrendSteady},
		{name: "two months are not a trend", wells: [6]float64{nan, nan, nan, nan, -1, 1}, want: ""},
		{name: "none", wells: [6]float64{nan, nan, nan, nan, nan, nan}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var answers []Answer
			for i, w := range tt.wells {
				if !math.IsNaN(w) {
					answers = append(answers, checked(march2026.add(i-5).Start(nil).Add(36*time.Hour), w))
				}
			}
			if got := Build(Input{Period: march2026, Answers: answers}).WellbeingTrend; got != tt.want {
				t.Errorf("WellbeingTrend = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBuildTogether(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	monday := day(2026, 1, 5) // ISO week 2
	tests := []struct {
		name    string
		loc     *time.Location
		answers []Answer
		want    string
	}{
		{
			name:    "lower when leaning management",
			answers: weekly(monday, []float64{-1, -0.5, 1, 0.5}, []float64{-0.5, -0.5, 0.5, 0}),
			want:    "In weeks you leaned management your wellbeing was lower (\u22120.50 on average) than in weeks you leaned leadership (+0.25).",
		},
		{
			name:    "higher when leaning management",
			answers: weekly(monday, []float64{-1, 1, -0.5, 0.5, 0.5}, []float64{1, 0, 0.5, -0.5, 0}),
			want:    "In weeks you leaned management your wellbeing was higher (+0.75 on average) than in weeks you leaned leadership (\u22120.17).",
		},
		{
			name:    "about the same",
			answers: weekly(monday, []float64{-1, 1, -0.5, 0.5}, []float64{0.25, 0.25, 0.5, 0.45}),
			want:    "Your wellbeing was about the same in weeks you leaned management (+0.38 on average) and in weeks you leaned leadership (+0.35).",
		},
		{
			name:    "one management week is not enough",
			answers: weekly(monday, []float64{-1, 1, 0, 0.5, 0.1}, []float64{-1, 1, 0, 1, 0}),
			want:    "",
		},
		{
			name: "a week needs both a lean and a wellbeing check",
			answers: append(weekly(monday, []float64{-1, 1, 1}, []float64{-1, 1, 1}),
				chosen(prompts.Horizon, day(2026, 2, 2), -1)),
			want: "",
		},
		{
			name:    "weeks outside the six months are ignored",
			answers: weekly(day(2025, 9, 1), []float64{-1, -1, 1, 1}, []float64{-1, -1, 1, 1}),
			want:    "",
		},
		{
			// Sunday evening in Los Angeles is Monday in UTC: on the person's clock each lean
			// answer falls in the week of the check before it.
			name: "weeks are the person's",
			loc:  la,
			answers: []Answer{
				checked(time.Date(2026, 1, 7, 18, 0, 0, 0, time.UTC), -1), chosen(prompts.Direction, time.Date(2026, 1, 12, 3, 0, 0, 0, time.UTC), -1),
				checked(time.Date(2026, 1, 14, 18, 0, 0, 0, time.UTC), -1), chosen(prompts.Direction, time.Date(2026, 1, 19, 3, 0, 0, 0, time.UTC), -1),
				checked(time.Date(2026, 1, 21, 18, 0, 0, 0, time.UTC), 1), chosen(prompts.Direction, time.Date(2026, 1, 26, 3, 0, 0, 0, time.UTC), 1),
				checked(time.Date(2026, 1, 28, 18, 0, 0, 0, time.UTC), 1), chosen(prompts.Direction, time.Date(2026, 2, 2, 3, 0, 0, 0, time.UTC), 1),
			},
			want: "In weeks you leaned management your wellbeing was lower (\u22121.00 on average) than in weeks you leaned leadership (+1.00).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Build(Input{Period: march2026, Loc: tt.loc, Answers: tt.answers}).Together; got != tt.want {
				t.Errorf("Together = %q, want %q", got, tt.want)
			}
		})
	}

	// The same instants read on the UTC clock pair each lean answer with no check.
	s := Build(Input{Period: march2026, Loc: time.UTC, Answers: tests[len(tests)-1].answers})
	if s.Together != "" {
		t.Errorf("Together in UTC = %q, want \"\" (the weeks differ)", s.Together)
	}
}

func TestBuildSuggestion(t *testing.T) {
	tests := []struct {
		name      string
		answers   []Answer
		want      string
		wantQuote string
	}{
		{name: "empty month", answers: nil, want: ""},
		{
			name: "strained wellbeing comes before any dimension",
			answers: []Answer{
				chosen(prompts.Horizon, day(2026, 3, 2), -1), checked(day(2026, 3, 2), -0.5),
			},
			want: suggestStrained,
		},
		{
			name: "falling wellbeing, not yet strained",
			answers: []Answer{
				checked(day(2026, 1, 5), 0.5), checked(day(2026, 2, 2), 0),
				chosen(prompts.Horizon, day(2026, 3, 2), -1), checked(day(2026, 3, 2), -0.2),
			},
			want: suggestFalling,
		},
		{
			name: "falling from very high is still fine",
			answers: []Answer{
				checked(day(2026, 1, 5), 1), checked(day(2026, 2, 2), 0.75),
				quoted(chosen(prompts.Horizon, day(2026, 2, 2), -0.5), "Fixing today's problems"),
				quoted(chosen(prompts.Horizon, day(2026, 3, 2), -1), "The urgent problem"), checked(day(2026, 3, 2), 0.5),
			},
			want: suggestionKey(prompts.Horizon, prompts.LabelManagement), wantQuote: "The urgent problem",
		},
		{
			name:    "one answer is not enough evidence to choose a dimension",
			answers: []Answer{chosen(prompts.Horizon, day(2026, 3, 2), -1)},
			want:    suggestNoLean,
		},
		{
			name: "evidence wins over the single furthest answer",
			answers: []Answer{
				chosen(prompts.People, day(2026, 3, 9), -1), // one answer, however strong
				quoted(chosen(prompts.Adaptability, day(2026, 2, 9), 0.5), "Try it small"),
				quoted(chosen(prompts.Adaptability, day(2026, 3, 9), 1), "Go for it"),
				quoted(chosen(prompts.Adaptability, day(2026, 3, 16), 0.5), "Try it small, again"),
			},
			want: suggestionKey(prompts.Adaptability, prompts.LabelLeadership), wantQuote: "Go for it",
		},
		{
			name: "a tie goes to the earlier dimension",
			answers: []Answer{
				chosen(prompts.Culture, day(2026, 3, 2), -1), chosen(prompts.Culture, day(2026, 3, 3), -1),
				chosen(prompts.Change, day(2026, 3, 9), 1), chosen(prompts.Change, day(2026, 3, 10), 1),
			},
			want: suggestionKey(prompts.Change, prompts.LabelLeadership),
		},
		{
			name:    "every dimension balanced",
			answers: evenly(nil, 0.1),
			want:    suggestBalanced,
		},
		{
			name:    "no lean at all",
			answers: []Answer{checked(day(2026, 3, 2), 0.5)},
			want:    suggestNoLean,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Build(Input{Period: march2026, Answers: tt.answers})
			if s.suggestion != tt.want {
				t.Errorf("suggestion = %q, want %q", s.suggestion, tt.want)
			}
			if s.SuggestionQuote != tt.wantQuote {
				t.Errorf("SuggestionQuote = %q, want %q", s.SuggestionQuote, tt.wantQuote)
			}
			if s.Suggestion != suggestionText(tt.want, s.Period) {
				t.Errorf("Suggestion = %q, want the text of %q", s.Suggestion, tt.want)
			}
			if (s.Suggestion == "") != (tt.want == "") {
				t.Errorf("Suggestion = %q for key %q", s.Suggestion, tt.want)
			}
			// NeedReason says which reading chose the need: the dimension and its lean, or the
			// wellbeing or the month as a whole.
			reason := s.NeedReason()
			if (reason == "") != (tt.want == "") {
				t.Errorf("NeedReason = %q for key %q", reason, tt.want)
			}
			if dim, pole, ok := strings.Cut(tt.want, "-"); ok && (pole == prompts.LabelLeadership || pole == prompts.LabelManagement) {
				if want := "Your " + dim + " answers were leaning " + pole + " ("; !strings.HasPrefix(reason, want) {
					t.Errorf("NeedReason = %q, want it to start %q", reason, want)
				}
			}
			if strings.HasPrefix(tt.want, "wellbeing-") && !strings.Contains(reason, "wellbeing") {
				t.Errorf("NeedReason = %q for %q, want it to name wellbeing", reason, tt.want)
			}
		})
	}
}

func TestSuggestionsCoverEveryDimension(t *testing.T) {
	for _, d := range prompts.LeanDimensions() {
		for _, pole := range []string{prompts.LabelLeadership, prompts.LabelManagement} {
			if len(suggestions[suggestionKey(d, pole)]) < 2 {
				t.Errorf("got fewer than two suggestions for %s leaning %s, want several", d, pole)
			}
		}
	}
	for _, k := range []string{suggestStrained, suggestFalling, suggestBalanced, suggestNoLean} {
		if len(suggestions[k]) < 2 {
			t.Errorf("got %d texts for suggestion %q, want several so it does not repeat month after month", len(suggestions[k]), k)
		}
	}
	seen := make(map[string]string)
	for k, vs := range suggestions {
		for _, v := range vs {
			if other, ok := seen[v]; ok {
				t.Errorf("suggestions %q and %q are the same text", k, other)
			}
			seen[v] = k
			if len(v) > 600 {
				t.Errorf("suggestion %q is %d bytes, want at most 600 to fit a message section", k, len(v))
			}
		}
	}
	if len(seen) < 8 {
		t.Errorf("got %d distinct suggestions, want at least 8", len(seen))
	}
}

func TestBuildAssessmentsKeptApart(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	s := Build(Input{
		Period: march2026,
		Loc:    tokyo,
		Answers: []Answer{
			chosen(prompts.Direction, day(2026, 3, 10), -0.5),
		},
		Assessments: []Assessment{
			{At: day(2026, 3, 20), Lean: 1},
			{At: day(2026, 3, 5), Lean: 0.5},
			{At: day(2026, 2, 20), Lean: 1},                               // February
			{At: time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC), Lean: -1}, // 1 April in Tokyo
			{At: day(2026, 3, 21), Lean: math.NaN()},                      // unreadable
		},
	})
	if got, want := s.Lean, Build(Input{Period: march2026, Loc: tokyo, Answers: []Answer{chosen(prompts.Direction, day(2026, 3, 10), -0.5)}}).Lean; got.Score != want.Score || got.Answers != 1 {
		t.Errorf("Lean = %+v, want %+v: assessments must not move the weekly lean", got, want)
	}
	if len(s.Assessments) != 2 {
		t.Fatalf("got %d assessments, want the 2 taken in March: %+v", len(s.Assessments), s.Assessments)
	}
	if !s.Assessments[0].At.Equal(day(2026, 3, 5)) || s.Assessments[1].Lean != 1 {
		t.Errorf("Assessments = %+v, want 5 March then 20 March", s.Assessments)
	}
	if s.Assessments[0].At.Location() != tokyo {
		t.Errorf("assessment time in %v, want the person's zone", s.Assessments[0].At.Location())
	}
	text := s.Text()
	for _, want := range []string{"Assessments (kept apart from the weekly lean)", "• 5 Mar: leaning leadership (+0.50)", "• 20 Mar: leaning leadership (+1.00)"} {
		if !strings.Contains(text, want) {
			t.Errorf("Text() lacks %q:\n%s", want, text)
		}
	}
}

func TestBuildCaveat(t *testing.T) {
	for _, in := range []Input{{Period: march2026}, {Period: march2026, Answers: []Answer{chosen(prompts.Direction, day(2026, 3, 2), 1)}}} {
		s := Build(in)
		if !strings.Contains(s.Caveat, "tendency") || !strings.Contains(s.Caveat, "not a validated diagnosis") {
			t.Errorf("Caveat = %q, want it to call the lean a tendency, not a validated diagnosis", s.Caveat)
		}
	}
	s := Build(Input{Period: march2026, Answers: []Answer{chosen(prompts.Direction, day(2026, 3, 2), 1)}})
	if !strings.HasSuffix(s.Text(), s.Caveat+"\n") {
		t.Errorf("Text() does not end with the caveat:\n%s", s.Text())
	}
}

func TestBuildIgnoresBrokenReadings(t *testing.T) {
	nan := math.NaN()
	s := Build(Input{Period: march2026, Answers: []Answer{
		chosen(prompts.Direction, day(2026, 3, 2), 0.5),
		{At: day(2026, 3, 3), Dimension: prompts.Change, Reading: prompts.Reading{Lean: nan, Weight: 1}},
		checked(day(2026, 3, 4), math.Inf(1)),
	}})
	if s.Lean.Answers != 1 || !near(s.Lean.Dimensions[0].Lean, 0.5) || s.WellbeingAvg != nil {
		t.Errorf("Lean, WellbeingAvg = %+v, %v; want the broken readings ignored", s.Lean, s.WellbeingAvg)
	}
	if _, err := Chart(s); err != nil {
		t.Errorf("Chart: %v", err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// quoted gives an answer the words it is quoted with.
func quoted(a Answer, q string) Answer {
	a.Quote = q
	return a
}
