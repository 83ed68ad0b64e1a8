package prompts

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// evalCase is one labelled answer of testdata/readings.tsv.
type evalCase struct {
	line          int
	group, prompt string
	want          string // a pole, or "not-" and the pole the answer denies
	answer        string
}

// evalGroups lists the groups of the evaluation set in the order they are reported.
var evalGroups = []string{"plain-leadership", "plain-management", "mixed", "negated", "look-alike", "echo", "other"}

func loadEvalSet(t *testing.T) []evalCase {
	t.Helper()
	f, err := os.Open("testdata/readings.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]bool{}
	for _, g := range evalGroups {
		known[g] = true
	}
	var out []evalCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("readings.tsv:%d: got %d columns, want 4", n, len(cols))
		}
		c := evalCase{line: n, group: cols[0], prompt: cols[1], want: cols[2], answer: cols[3]}
		if !known[c.group] {
			t.Fatalf("readings.tsv:%d: unknown group %q", n, c.group)
		}
		switch c.want {
		case PoleLeadership, PoleManagement, PoleNeutral, "not-" + PoleLeadership, "not-" + PoleManagement:
		default:
			t.Fatalf("readings.tsv:%d: unknown want %q", n, c.want)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// evalStats is how one group of the set was read.
type evalStats struct {
	total, right int
	opposite     int // plain answers read as the other pole; negated answers read as the pole they deny
	pole         int // answers read as leadership or management
	strong       int // answers read with |lean| above mixedMaxLean
	misread      []string
}

func (s evalStats) pct(n int) float64 {
	if s.total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(s.total)
}

// Thresholds of the evaluation set (docs/READING.md). A lexicon change that drops a group below its
// threshold fails TestReadingEvaluation.
const (
	minPlainRight  = 85.0 // % of plain answers read as the pole they were written for
	maxLookAlike   = 10.0 // % of look-alike answers read as a pole
	minMixedRight  = 60.0 // % of mixed answers read as neutral
	mixedMaxLean   = 0.5  // no mixed answer may lean further than this
	minEchoRight   = 75.0 // % of answers echoing the prompt read right
	minOtherRight  = 100.0
	maxNegatedDeny = 0 // negated answers read as the pole they deny
)

// TestReadingEvaluation reads every answer of testdata/readings.tsv with the built-in catalogue and
// prints the accuracy per group (go test -v -run TestReadingEvaluation ./internal/prompts/). It fails
// when a group falls below its threshold.
func TestReadingEvaluation(t *testing.T) {
	c := builtin(t)
	cases := loadEvalSet(t)
	if len(cases) < 150 {
		t.Errorf("got %d answers in the set, want at least 150", len(cases))
	}
	stats := map[string]*evalStats{}
	for _, g := range evalGroups {
		stats[g] = &evalStats{}
	}
	for _, ec := range cases {
		p, ok := c.Prompt(ec.prompt)
		if !ok {
			t.Fatalf("readings.tsv:%d: unknown prompt %q", ec.line, ec.prompt)
		}
		r := c.ReadText(p, ec.answer)
		got := r.Pole()
		s := stats[ec.group]
		s.total++
		if got != PoleNeutral {
			s.pole++
		}
		if r.Lean > mixedMaxLean || r.Lean < -mixedMaxLean {
			s.strong++
		}
		right := got == ec.want
		if denied, ok := strings.CutPrefix(ec.want, "not-"); ok {
			right = got != denied
			if !right {
				s.opposite++
			}
		} else if ec.want != PoleNeutral && got != PoleNeutral && got != ec.want {
			s.opposite++
		}
		if right {
			s.right++
		} else {
			s.misread = append(s.misread, fmt.Sprintf("line %d: got %s (%+.2f), want %s: %q — %s",
				ec.line, got, r.Lean, ec.want, ec.answer, r.Explain()))
		}
	}
	t.Logf("%-17s %5s %7s %9s %7s", "group", "n", "right", "opposite", "a pole")
	for _, g := range evalGroups {
		s := stats[g]
		t.Logf("%-17s %5d %6.1f%% %9d %6.1f%%", g, s.total, s.pct(s.right), s.opposite, s.pct(s.pole))
	}
	if testing.Verbose() {
		for _, g := range evalGroups {
			for _, m := range stats[g].misread {
				t.Logf("%s %s", g, m)
			}
		}
	}
	for _, g := range []string{"plain-leadership", "plain-management"} {
		s := stats[g]
		if s.pct(s.right) < minPlainRight {
			t.Errorf("%s: got %.1f%% read right, want at least %.0f%%", g, s.pct(s.right), minPlainRight)
		}
		if s.opposite > 0 {
			t.Errorf("%s: got %d answers read as the opposite pole, want none", g, s.opposite)
		}
	}
	if s := stats["negated"]; s.opposite > maxNegatedDeny {
		t.Errorf("negated: got %d answers read as the pole they deny, want none", s.opposite)
	}
	if s := stats["look-alike"]; s.pct(s.pole) > maxLookAlike {
		t.Errorf("look-alike: got %.1f%% read as a pole, want at most %.0f%%", s.pct(s.pole), maxLookAlike)
	}
	if s := stats["mixed"]; s.pct(s.right) < minMixedRight || s.strong > 0 {
		t.Errorf("mixed: got %.1f%% read as neutral and %d leaning beyond ±%.1f, want at least %.0f%% and none",
			s.pct(s.right), s.strong, mixedMaxLean, minMixedRight)
	}
	if s := stats["echo"]; s.pct(s.right) < minEchoRight {
		t.Errorf("echo: got %.1f%% read right, want at least %.0f%%", s.pct(s.right), minEchoRight)
	}
	if s := stats["other"]; s.pct(s.right) < minOtherRight {
		t.Errorf("other: got %.1f%% read right, want %.0f%%", s.pct(s.right), minOtherRight)
	}
}
