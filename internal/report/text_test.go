package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current output")

// sampleInput is half a year of weekly answers for someone in Los Angeles: leadership-leaning
// weeks feel better than management-leaning ones, November goes unanswered, and March leans
// leadership overall with horizon pulling hard the other way.
func sampleInput(t testing.TB) Input {
	la := mustZone(t, "America/Los_Angeles")
	var in Input
	in.Period = march2026
	in.Loc = la
	dims := prompts.LeanDimensions()
	leans := []float64{1, -0.5, 0.5, -1, 0.5, 0, 1, -0.5}
	first := time.Date(2025, 10, 6, 9, 0, 0, 0, la) // a Monday
	for w := 0; w < 26; w++ {
		at := first.AddDate(0, 0, 7*w)
		skipped := MonthOf(at, la) == (Month{2025, time.November}) || w == 22
		in.Deliveries = append(in.Deliveries, delivered(at, !skipped))
		if skipped {
			continue
		}
		answered := at.Add(3 * time.Hour)
		dim := dims[w%len(dims)]
		lean := leans[w%len(leans)]
		if MonthOf(at, la) == march2026 {
			lean = 0.5
			if dim == prompts.Horizon {
				lean = -1
			}
		}
		a := quoted(chosen(dim, answered, lean), optionLabel(lean))
		if w%3 == 2 {
			a = typed(dim, answered, lean)
			a.Quote, a.Written = fmt.Sprintf("Week %d: spent an hour with the team on where we are heading.", w+1), true
		}
		if w%7 == 3 {
			in.Answers = append(in.Answers, quoted(Answer{At: answered, Dimension: prompts.Shared,
				Reading: prompts.Reading{Words: []string{"I asked and listened"}}}, "I asked and listened"))
		}
		well := 0.5
		if lean < 0 {
			well = -0.5
		}
		if w%5 == 0 {
			well = 0
		}
		in.Answers = append(in.Answers, a, checked(answered.Add(time.Minute), well))
	}
	in.Assessments = []Assessment{
		{At: time.Date(2026, 3, 12, 17, 30, 0, 0, time.UTC), Lean: 0.25},
		{At: time.Date(2026, 2, 2, 17, 30, 0, 0, time.UTC), Lean: -0.4},
	}
	return in
}

// optionLabel is a plausible label for an option of the given lean.
func optionLabel(lean float64) string {
	switch {
	case lean >= 1:
		return "Shared a trend with the team"
	case lean > 0:
		return "Made time to read or talk with peers"
	case lean == 0:
		return "A bit of both"
	case lean > -1:
		return "Checked where it fits in our plan"
	}
	return "The urgent problem, start to finish"
}

func goldenCases(t testing.TB) []struct {
	name string
	in   Input
} {
	return []struct {
		name string
		in   Input
	}{
		{name: "full", in: sampleInput(t)},
		{name: "empty", in: Input{
			Period:     march2026,
			Answers:    []Answer{chosen(prompts.Direction, day(2026, 2, 2), 1)},
			Deliveries: []Delivery{delivered(day(2026, 3, 2), false), delivered(day(2026, 3, 9), false)},
		}},
		{name: "wellbeing-only", in: Input{
			Period:     march2026,
			Answers:    []Answer{checked(day(2026, 3, 2), 0.5), checked(day(2026, 3, 9), 1)},
			Deliveries: []Delivery{delivered(day(2026, 3, 2), true), delivered(day(2026, 3, 9), true)},
		}},
		{name: "strained", in: Input{
			Period:  Month{2026, time.January},
			Support: "If work is weighing on you, talk to someone you trust: a friend, a colleague, your manager or HR.",
			Answers: []Answer{
				chosen(prompts.Horizon, day(2026, 1, 5), -1), checked(day(2026, 1, 5), -1),
				chosen(prompts.Direction, day(2026, 1, 12), -0.5), checked(day(2026, 1, 12), -0.5),
				typed(prompts.Adaptability, day(2026, 1, 19), -1),
				checked(day(2025, 12, 1), 0.5), checked(day(2025, 11, 3), 1),
			},
			Deliveries: []Delivery{
				delivered(day(2026, 1, 5), true), delivered(day(2026, 1, 12), true),
				delivered(day(2026, 1, 19), true), delivered(day(2026, 1, 26), false),
			},
		}},
	}
}

func TestTextGolden(t *testing.T) {
	for _, tc := range goldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			s := Build(tc.in)
			got := s.Text()
			if first := strings.SplitN(got, "\n", 2)[0]; first != s.FirstLine {
				t.Errorf("first line = %q, want FirstLine %q", first, s.FirstLine)
			}
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("Text() differs from %s (run with -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestTextTrendFallback(t *testing.T) {
	s := Build(sampleInput(t))
	text := s.Text()
	for _, p := range s.Trend {
		line := "• " + p.Month.short() + " " + p.Month.Title()[len(p.Month.Title())-4:] + ": "
		if !strings.Contains(text, line) {
			t.Errorf("Text() has no trend line starting %q", line)
		}
	}
	if !strings.Contains(text, "• Nov 2025: no answers\n") {
		t.Errorf("Text() does not show November as having no answers:\n%s", text)
	}
}

func TestTextOfHandMadeSummary(t *testing.T) {
	// A Summary not made by Build (no trend, no dimensions) still renders, first line first.
	s := Summary{Period: march2026, FirstLine: "March 2026: balanced (+0.00)", Caveat: Caveat}
	got := s.Text()
	if !strings.HasPrefix(got, s.FirstLine+"\n") || !strings.HasSuffix(got, Caveat+"\n") {
		t.Errorf("Text() = %q, want FirstLine first and the caveat last", got)
	}
}
