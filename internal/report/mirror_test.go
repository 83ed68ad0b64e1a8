package report

import (
	"testing"

	"github.com/reflect-bot/reflect/internal/prompts"
)

func TestBuildMirror(t *testing.T) {
	if got := MirrorThreshold(0); got != max(DefaultMinRespondents, MirrorMin) {
		t.Errorf("MirrorThreshold(0) = %d", got)
	}
	if got := MirrorThreshold(3); got != 5 {
		t.Errorf("MirrorThreshold(3) = %d, want 5", got)
	}
	if got := MirrorThreshold(8); got != 8 {
		t.Errorf("MirrorThreshold(8) = %d, want 8", got)
	}
	lead := []MirrorTally{{prompts.People, 2, 5}, {prompts.Direction, 2, 4}, {prompts.Direction, -2, 1}}
	tests := []struct {
		name         string
		tallies      []MirrorTally
		respondents  int
		wantShown    bool
		wantHeadline string
	}{
		{"one short of the threshold shows nothing", lead, 4, false, ""},
		{"at the threshold", lead, 5, true, "leaning leadership (+0.61)"},
		{"nothing that leans shows nothing", []MirrorTally{{prompts.People, 0, 0}}, 5, false, ""},
		{"even answers read balanced", []MirrorTally{{prompts.People, 0, 5}, {prompts.Change, 2, 2}, {prompts.Change, -2, 2}}, 5, true, "balanced (+0.00)"},
		{"management", []MirrorTally{{prompts.Horizon, -2, 6}, {prompts.Culture, -1, 6}}, 6, true, "leaning management (−0.59)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := BuildMirror(tt.tallies, tt.respondents, 5)
			if v.Shown != tt.wantShown || v.Headline != tt.wantHeadline {
				t.Errorf("got shown %v %q, want %v %q", v.Shown, v.Headline, tt.wantShown, tt.wantHeadline)
			}
		})
	}
	v := BuildMirror([]MirrorTally{{prompts.People, 2, 1}, {prompts.People, -2, 1}, {prompts.People, 0, 4}}, 6, 5)
	if got, want := MirrorLine("leaning management (−0.30)", v, ""), "You: leaning management (−0.30). Your team sees: balanced (+0.00), from 6 people"; got != want {
		t.Errorf("MirrorLine = %q, want %q", got, want)
	}
}
