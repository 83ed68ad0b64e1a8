package simulation

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
)

func f(x float64) *float64 { return &x }

// run simulates one persona for twelve months from January 2026 on the built-in catalogue and the
// default schedule.
func run(t *testing.T, p Persona) []Month {
	t.Helper()
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := schedule.ParseSpec("0 9 * * MON")
	if err != nil {
		t.Fatal(err)
	}
	return Run(cat, schedule.Planner{Default: spec, Catalogue: cat}, []Persona{p}, report.Month{Year: 2026, Month: 1}, 12)
}

func labels(ms []Month) string {
	var b strings.Builder
	for _, m := range ms {
		score := 0.0
		if m.Score != nil {
			score = *m.Score
		}
		fmt.Fprintf(&b, "%s %s %+.2f (%d); ", m.Month, m.Label, score, m.Answers)
	}
	return b.String()
}

var (
	leaderTexts = []string{
		"I spent time coaching Priya on the vision for next year and what she could grow into.",
		"We talked about where the market is heading and one trend we should explore.",
		"Spent an afternoon with a new manager on what kind of leader she wants to become.",
		"Encouraged the team to experiment with a different approach to onboarding.",
	}
	managerTexts = []string{
		"Mostly planning the sprint and tracking the deadline for the release.",
		"I set the budget for next quarter and assigned owners to each task.",
		"Fixed the escalation process and wrote down who signs off on what.",
		"Kept the daily standup tight and the backlog in order.",
	}
	mixedTexts = []string{
		"I planned the sprint and coached one person on where she wants to grow.",
		"Set targets for the quarter and shared the vision behind them.",
		"Nothing special this week.",
	}
)

// seeds are the persona seeds each case runs with: several, so a pass is not one lucky draw.
// Over seeds 1–40 the built-in catalogue met the thresholds in 79 of 80 steady runs, 159 of 160
// middling and fixed-position runs and 35 of 40 shifting runs (with the whole-word reader);
// seeds 1–8 all pass and keep the suite fast.
var seeds = []uint64{1, 2, 3, 4, 5, 6, 7, 8}

// TestSteadyPersonas: a person who leans ±0.5 (spread 0.35, 90 % answered) gets the right label in
// at least 90 % of labelled months and never the opposite one.
func TestSteadyPersonas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lean  float64
		texts []string
		want  string
		wrong string
	}{
		{"leader", 0.5, leaderTexts, prompts.LabelLeadership, prompts.LabelManagement},
		{"manager", -0.5, managerTexts, prompts.LabelManagement, prompts.LabelLeadership},
	} {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%s seed %d", tc.name, seed), func(t *testing.T) {
				ms := run(t, Persona{Name: tc.name, Seed: seed, Choose: Choose{Lean: f(tc.lean), Spread: 0.35},
					AnswerRate: f(0.9), Texts: tc.texts})
				labelled, right := 0, 0
				for _, m := range ms {
					if m.Label == report.LabelNone {
						continue
					}
					labelled++
					if m.Label == tc.want {
						right++
					}
					if m.Label == tc.wrong {
						t.Errorf("%s: got %s, never want the opposite label", m.Month, m.Label)
					}
				}
				if labelled < 10 || float64(right) < 0.9*float64(labelled) {
					t.Errorf("got %d of %d labelled months %s, want at least 90 %% of at least 10: %s", right, labelled, tc.want, labels(ms))
				}
			})
		}
	}
}

// TestBalancedPersonas: a middling person and people who always tap the same place read balanced
// in at least two labelled months out of three, and never three months in a row at one pole.
func TestBalancedPersonas(t *testing.T) {
	for _, tc := range []struct {
		name   string
		choose Choose
		texts  []string
	}{
		{"middling", Choose{Lean: f(0), Spread: 0.45}, mixedTexts},
		{"always first", Choose{Position: "first"}, nil},
		{"always last", Choose{Position: "last"}, nil},
		{"always middle", Choose{Position: "middle"}, nil},
	} {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%s seed %d", tc.name, seed), func(t *testing.T) {
				ms := run(t, Persona{Name: fmt.Sprintf("%s-%d", tc.name, seed), Seed: seed, Choose: tc.choose, Texts: tc.texts})
				labelled, balanced, run, prev := 0, 0, 0, ""
				for _, m := range ms {
					if m.Label == report.LabelNone {
						run, prev = 0, ""
						continue
					}
					labelled++
					if m.Label == prompts.LabelBalanced {
						balanced++
						run, prev = 0, ""
						continue
					}
					if m.Label == prev {
						run++
					} else {
						run, prev = 1, m.Label
					}
					if run >= 3 {
						t.Errorf("%s: third month in a row at %s, want never three", m.Month, m.Label)
					}
				}
				if labelled < 10 || 3*balanced < 2*labelled {
					t.Errorf("got %d of %d labelled months balanced, want at least two in three of at least 10: %s", balanced, labelled, labels(ms))
				}
			})
		}
	}
}

// TestShiftingPersona: a person who moves from −0.5 to +0.5 after six months reads leadership
// within three months of the change.
func TestShiftingPersona(t *testing.T) {
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			ms := run(t, Persona{Name: "shifter", Seed: seed, Choose: Choose{Lean: f(-0.5), Spread: 0.35}, AnswerRate: f(0.9),
				Texts: managerTexts[:2],
				Shift: &Shift{AfterMonths: 6, Choose: &Choose{Lean: f(0.5), Spread: 0.35}, Texts: leaderTexts[:2]}})
			if got := ms[8].Label; got != prompts.LabelLeadership {
				t.Errorf("month 9 (%s): got %s, want leadership within three months of the shift: %s", ms[8].Month, got, labels(ms))
			}
			lead := 0
			for _, m := range ms[9:] {
				if m.Label == prompts.LabelManagement {
					t.Errorf("%s: got %s, never want management after the shift has shown: %s", m.Month, m.Label, labels(ms))
				}
				if m.Label == prompts.LabelLeadership {
					lead++
				}
			}
			if lead < 2 {
				t.Errorf("got %d of the last three months leadership, want at least two: %s", lead, labels(ms))
			}
			if got := ms[5].Label; got != prompts.LabelManagement {
				t.Errorf("month 6 (%s): got %s, want management before the shift", ms[5].Month, got)
			}
		})
	}
}

// TestPersonaFile keeps the example persona file in the repository valid.
func TestPersonaFile(t *testing.T) {
	data, err := os.ReadFile("../../testdata/personas.json")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ParsePersonas(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 6 {
		t.Errorf("got %d personas, want the six of the README", len(ps))
	}
}
