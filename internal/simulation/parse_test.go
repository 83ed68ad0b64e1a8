package simulation

import (
	"strings"
	"testing"
)

func TestParsePersonas(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"lean", `[{"name": "a", "seed": 1, "choose": {"lean": 0.5, "spread": 0.3}, "wellbeing": 0.2}]`, ""},
		{"position with a shift", `[{"name": "a", "choose": {"position": "last"}, "answer_rate": 0.5,
			"shift": {"after_months": 3, "choose": {"lean": -0.5, "spread": 0.2}, "wellbeing": -1, "texts": ["x"]}}]`, ""},
		{"not an array", `{"name": "a"}`, "personas"},
		{"empty array", `[]`, "no persona"},
		{"no name", `[{"choose": {"position": "first"}}]`, "personas[0].name"},
		{"twice the same name", `[{"name": "a", "choose": {"position": "first"}}, {"name": "a", "choose": {"position": "last"}}]`, "used twice"},
		{"unknown field", `[{"name": "a", "choose": {"position": "first"}, "mood": 1}]`, "mood"},
		{"no choose", `[{"name": "a"}]`, `persona "a".choose`},
		{"both ways of choosing", `[{"name": "a", "choose": {"lean": 0, "position": "first"}}]`, "not both"},
		{"lean out of range", `[{"name": "a", "choose": {"lean": 2}}]`, "choose.lean"},
		{"negative spread", `[{"name": "a", "choose": {"lean": 0, "spread": -1}}]`, "choose.spread"},
		{"unknown position", `[{"name": "a", "choose": {"position": "second"}}]`, "choose.position"},
		{"wellbeing out of range", `[{"name": "a", "choose": {"position": "first"}, "wellbeing": -3}]`, "wellbeing"},
		{"answer rate out of range", `[{"name": "a", "choose": {"position": "first"}, "answer_rate": 1.5}]`, "answer_rate"},
		{"negative shift", `[{"name": "a", "choose": {"position": "first"}, "shift": {"after_months": -1}}]`, "after_months"},
		{"bad shifted choice", `[{"name": "a", "choose": {"position": "first"}, "shift": {"after_months": 1, "choose": {}}}]`, "shift.choose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePersonas([]byte(tt.in))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzParsePersonas feeds arbitrary persona files to the parser: it must never panic, and what it
// accepts must simulate without panicking.
func FuzzParsePersonas(f *testing.F) {
	f.Add(`[{"name": "a", "seed": 1, "choose": {"lean": 0.5, "spread": 0.3}, "texts": ["I coached"], "answer_rate": 0.9}]`)
	f.Add(`[{"name": "b", "choose": {"position": "middle"}, "shift": {"after_months": 0, "wellbeing": 1}}]`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := ParsePersonas([]byte(in))
		if err != nil {
			return
		}
		for i := range ps {
			ps[i].Seed %= 1000
		}
		_ = run(t, ps[0])
	})
}
