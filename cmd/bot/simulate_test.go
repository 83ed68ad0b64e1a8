package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSimulate runs the example persona file without Slack tokens or a database, and checks both
// output forms and that nothing is left behind in the working directory.
func TestSimulate(t *testing.T) {
	cleanEnv(t, nil)
	dir := t.TempDir()
	wd, _ := os.Getwd()
	personas := filepath.Join(wd, "..", "..", "testdata", "personas.json")
	t.Chdir(dir)
	now := func() time.Time { return time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC) }

	var out, errb bytes.Buffer
	if err := simulate([]string{"-months", "3", "-json", personas}, &out, &errb, now); err != nil {
		t.Fatalf("simulate: %v (%s)", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// The six personas of the README, and two whose teams answer the team mirror.
	if len(lines) != 8*3 {
		t.Fatalf("got %d lines, want 3 months for each of 8 personas:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		var row struct {
			Persona string   `json:"persona"`
			Month   string   `json:"month"`
			Label   string   `json:"label"`
			Score   *float64 `json:"score"`
			Answers *int     `json:"answers"`
		}
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		switch row.Label {
		case "leadership", "management", "balanced":
			if row.Score == nil {
				t.Errorf("line %q: a labelled month without a score", l)
			}
		case "none":
			if row.Score != nil {
				t.Errorf("line %q: want a null score for none", l)
			}
		default:
			t.Errorf("line %q: label %q", l, row.Label)
		}
		if row.Answers == nil || row.Persona == "" {
			t.Errorf("line %q: want persona and answers", l)
		}
	}
	if !strings.Contains(lines[0], `"month":"2026-03"`) {
		t.Errorf("first line %q, want the default start three months before June 2026", lines[0])
	}

	out.Reset()
	if err := simulate([]string{"-start", "2026-01", "-months", "6", personas}, &out, &errb, now); err != nil {
		t.Fatalf("simulate: %v", err)
	}
	// A team of seven shows its view beside the lead's own; a team of four, one short, never does.
	mirror := regexp.MustCompile(`(?m)^    You: .+\. Your team sees: .+, from \d+ people$`)
	if got := mirror.FindAllString(out.String(), -1); len(got) == 0 {
		t.Errorf("got\n%s\nwant side-by-side mirror lines", out.String())
	}
	_, small, _ := strings.Cut(out.String(), "leader-small-team\n")
	if small == "" || strings.Contains(small, "Your team sees") {
		t.Errorf("the team of four shows a view or is missing:\n%s", small)
	}
	out.Reset()
	if err := simulate([]string{"-start", "2026-01", "-months", "2", personas}, &out, &errb, now); err != nil {
		t.Fatalf("simulate: %v", err)
	}
	for _, want := range []string{"steady-leader\n  January 2026: ", "  February 2026: ", "always-last\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("got\n%s\nwant it to contain %q", out.String(), want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("simulate left %d files behind, want none", len(entries))
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"name": "x", "choose": {"position": "second"}}]`), 0o644)
	err := simulate([]string{bad}, &out, &errb, now)
	if err == nil || !strings.Contains(err.Error(), `persona "x".choose.position`) {
		t.Errorf("got %v, want an error naming the persona and the field", err)
	}
}
