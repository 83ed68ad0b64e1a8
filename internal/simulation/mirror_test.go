package simulation

import (
	"strings"
	"testing"
)

// TestMirrorPersonas: a persona's team answers the mirror; the side-by-side line shows only when at
// least five answered, on the same scale as the persona's own lean, and follows the team's tendency.
func TestMirrorPersonas(t *testing.T) {
	tests := []struct {
		name      string
		team      MirrorTeam
		wantShown bool
		wantSign  int // the team's score: 1 leadership, -1 management, 0 either
	}{
		{"four people never show", MirrorTeam{Size: 4, Choose: Choose{Lean: f(0.8), Spread: 0.1}}, false, 0},
		{"five people at the threshold show", MirrorTeam{Size: 5, Choose: Choose{Lean: f(0.8), Spread: 0.1}}, true, 1},
		{"a team that sees management", MirrorTeam{Size: 8, Choose: Choose{Lean: f(-0.8), Spread: 0.1}}, true, -1},
		{"all unsure show nothing", MirrorTeam{Size: 8, Choose: Choose{Lean: f(0.8)}, NotSure: 1}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := run(t, Persona{Name: "lead", Seed: 3, Choose: Choose{Lean: f(-0.4), Spread: 0.2}, Mirror: &tt.team})
			for _, m := range ms {
				if shown := m.Mirror != ""; shown != tt.wantShown {
					t.Fatalf("%s: mirror %q, want shown %v", m.Month, m.Mirror, tt.wantShown)
				}
				if !tt.wantShown {
					continue
				}
				if !strings.Contains(m.Mirror, "Your team sees: ") || m.MirrorScore == nil ||
					(tt.wantSign > 0 && *m.MirrorScore < 0.2) || (tt.wantSign < 0 && *m.MirrorScore > -0.2) {
					t.Errorf("%s: %q (score %v), want a team view of sign %d", m.Month, m.Mirror, m.MirrorScore, tt.wantSign)
				}
				if m.Score != nil && !strings.HasPrefix(m.Mirror, "You: leaning management") {
					t.Errorf("%s: %q, want the persona's own lean first", m.Month, m.Mirror)
				}
			}
		})
	}
}

func TestParseMirrorPersonas(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`[{"name": "a", "choose": {"lean": 0}, "mirror": {"size": 0, "choose": {"lean": 0}}}]`, "mirror.size"},
		{`[{"name": "a", "choose": {"lean": 0}, "mirror": {"size": 5, "choose": {"position": "first"}}}]`, "a team answers by lean"},
		{`[{"name": "a", "choose": {"lean": 0}, "mirror": {"size": 5, "choose": {"lean": 2}}}]`, "mirror.choose.lean"},
		{`[{"name": "a", "choose": {"lean": 0}, "mirror": {"size": 5, "choose": {"lean": 0}, "not_sure": 2}}]`, "mirror.not_sure"},
		{`[{"name": "a", "choose": {"lean": 0}, "mirror": {"size": 5, "choose": {"lean": 0}, "answer_rate": -1}}]`, "mirror.answer_rate"},
		{`[{"name": "a", "choose": {"lean": 0}, "mirror": {"size": 5, "choose": {"lean": 0}, "colour": 1}}]`, "unknown field"},
	} {
		if _, err := ParsePersonas([]byte(tt.doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error naming %q", tt.doc, err, tt.want)
		}
	}
}
