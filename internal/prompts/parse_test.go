package prompts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func leanScale() []Option {
	return []Option{
		{Label: "All on the how", Lean: intp(-2)}, {Label: "Mostly the how", Lean: intp(-1)},
		{Label: "Even", Lean: intp(0)}, {Label: "Mostly the where", Lean: intp(1)},
		{Label: "All on the where", Lean: intp(2)},
	}
}

// validCatalogue is a small catalogue that passes Parse, with one prompt of each shape; each
// validation case below breaks exactly one rule of it.
func validCatalogue() Catalogue {
	return Catalogue{
		Version: 1,
		Lexicon: Lexicon{Leadership: []string{"vision", "team's"}, Management: []string{"plan"}},
		Prompts: []Prompt{
			{ID: "direction-scale", Dimension: Direction, Kind: Scale, Section: "Direction and planning",
				Text: "Where did your energy go this week?", Options: leanScale()},
			{ID: "change-choice", Dimension: Change, Kind: Choice, Section: "Transformations and transactions",
				Text: "What did you offer for extra effort?", Options: []Option{
					{Label: "A reward", Lean: intp(-2)}, {Label: "A chance to learn", Lean: intp(2)},
				}},
			{ID: "horizon-text", Dimension: Horizon, Kind: Text, Section: "The future and the now",
				Text: "What might matter a year from now?"},
			{ID: "shared-choice", Dimension: Shared, Kind: Choice, Section: "Essential skills",
				Text: "Did you listen more than you talked?", Options: []Option{
					{Label: "Yes", Lean: intp(0)}, {Label: "No"},
				}},
			{ID: "wellbeing-scale", Dimension: Wellbeing, Kind: Scale, Section: "Work-life balance",
				Text: "How was your stress?", Options: []Option{
					{Label: "Overwhelming", Wellbeing: intp(-2)}, {Label: "High", Wellbeing: intp(-1)},
					{Label: "Manageable", Wellbeing: intp(0)}, {Label: "Low", Wellbeing: intp(1)},
					{Label: "Calm", Wellbeing: intp(2)},
				}},
		},
		Assessment: []Prompt{
			{ID: "assess-direction", Dimension: Direction, Kind: Scale, Section: "Direction and planning",
				Text: "Where do you add most?", Options: leanScale()},
		},
	}
}

func marshal(t *testing.T, c Catalogue) []byte {
	t.Helper()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return data
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *Catalogue)
		raw    string // used instead of the edited catalogue when set
		wantID string // a prompt the result must hold
	}{
		{name: "small catalogue", wantID: "wellbeing-scale"},
		{name: "one prompt, no assessment", edit: func(c *Catalogue) {
			c.Prompts, c.Assessment = c.Prompts[2:3], nil
		}, wantID: "horizon-text"},
		{name: "300 characters of text, counted as characters not bytes", edit: func(c *Catalogue) {
			c.Prompts[2].Text = strings.Repeat("é", 300)
		}, wantID: "horizon-text"},
		{name: "75-character label", edit: func(c *Catalogue) {
			c.Prompts[1].Options[0].Label = strings.Repeat("ü", 75)
		}, wantID: "change-choice"},
		{name: "unknown fields are allowed", raw: `{"version": 1, "comment": "ours", "lexicon": {"leadership": ["vision"],
			"management": ["plan"], "neutral": ["x"]}, "prompts": [{"id": "horizon-text", "dimension": "horizon",
			"kind": "text", "section": "The future and the now", "text": "What next?", "tags": ["new"]}]}`, wantID: "horizon-text"},
		{name: "byte-order mark is skipped", raw: "\xEF\xBB\xBF" + `{"version": 1, "lexicon": {"leadership": ["vision"],
			"management": ["plan"]}, "prompts": [{"id": "horizon-text", "dimension": "horizon", "kind": "text",
			"section": "The future and the now", "text": "What next?"}]}`, wantID: "horizon-text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.raw == "" {
				c := validCatalogue()
				if tt.edit != nil {
					tt.edit(&c)
				}
				data = marshal(t, c)
			}
			c, err := Parse(data)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if _, ok := c.Prompt(tt.wantID); !ok {
				t.Errorf("Prompt(%q): got ok=false, want the prompt", tt.wantID)
			}
		})
	}
}

func TestParseValidationErrors(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(c *Catalogue)
		raw       string // used instead of the edited catalogue when set
		wantID    string
		wantPos   string
		wantField string
		wantMsg   string
	}{
		// File-level fields.
		{name: "version 2", edit: func(c *Catalogue) { c.Version = 2 }, wantField: "version", wantMsg: "unsupported version 2"},
		{name: "version missing", raw: `{"lexicon": {"leadership": ["a"], "management": ["b"]}, "prompts": []}`,
			wantField: "version", wantMsg: "missing"},
		{name: "version not a number", raw: `{"version": "1"}`, wantField: "version", wantMsg: "want a whole number, got a JSON string"},
		{name: "not an object", raw: `[1, 2]`, wantMsg: "want an object, got a JSON array"},
		{name: "empty leadership stems", edit: func(c *Catalogue) { c.Lexicon.Leadership = nil },
			wantField: "lexicon.leadership", wantMsg: "at least one stem"},
		{name: "empty management stems", edit: func(c *Catalogue) { c.Lexicon.Management = []string{} },
			wantField: "lexicon.management", wantMsg: "at least one stem"},
		{name: "empty stem", edit: func(c *Catalogue) { c.Lexicon.Management = append(c.Lexicon.Management, "") },
			wantField: "lexicon.management", wantMsg: `stem 1 "" is empty`},
		{name: "upper-case stem", edit: func(c *Catalogue) { c.Lexicon.Leadership[0] = "Vision" },
			wantField: "lexicon.leadership", wantMsg: "lower-case"},
		{name: "phrase with two spaces", edit: func(c *Catalogue) { c.Lexicon.Leadership[1] = "big  picture" },
			wantField: "lexicon.leadership", wantMsg: "two in a row"},
		{name: "phrase with a tab", edit: func(c *Catalogue) { c.Lexicon.Leadership[1] = "big\tpicture" },
			wantField: "lexicon.leadership", wantMsg: "tab or line break"},
		{name: "trailing hyphen", edit: func(c *Catalogue) { c.Lexicon.Management[0] = "day-to-" },
			wantField: "lexicon.management", wantMsg: "must end with"},
		{name: "star inside an entry", edit: func(c *Catalogue) { c.Lexicon.Management[0] = "pl*an" },
			wantField: "lexicon.management", wantMsg: "only a trailing *"},
		{name: "lone star", edit: func(c *Catalogue) { c.Lexicon.Management[0] = "*" },
			wantField: "lexicon.management", wantMsg: "must end with"},
		{name: "punctuation in an entry", edit: func(c *Catalogue) { c.Lexicon.Management[0] = "plan." },
			wantField: "lexicon.management", wantMsg: "never occurs inside a word"},
		{name: "bad exception", edit: func(c *Catalogue) { c.Lexicon.Exceptions = []string{"Planet"} },
			wantField: "lexicon.exceptions", wantMsg: "lower-case"},
		{name: "entry that is also an exception", edit: func(c *Catalogue) { c.Lexicon.Exceptions = append(c.Lexicon.Exceptions, c.Lexicon.Management[0]) },
			wantField: "lexicon.management", wantMsg: "also in lexicon.exceptions"},
		{name: "stem on both poles", edit: func(c *Catalogue) { c.Lexicon.Management[0] = "vision" },
			wantField: "lexicon.management", wantMsg: "also a leadership stem"},
		{name: "lexicon not lists", raw: `{"version": 1, "lexicon": {"leadership": "vision"}}`,
			wantField: "lexicon.leadership", wantMsg: "want a list"},
		{name: "no prompts", edit: func(c *Catalogue) { c.Prompts = nil }, wantField: "prompts", wantMsg: "at least one prompt"},
		{name: "prompts not a list", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]}, "prompts": {}}`,
			wantField: "prompts", wantMsg: "want a list"},

		// Ids.
		{name: "missing id", edit: func(c *Catalogue) { c.Prompts[1].ID = "" },
			wantPos: "prompts[1]", wantField: "id", wantMsg: "is missing"},
		{name: "id not kebab-case", edit: func(c *Catalogue) { c.Prompts[0].ID = "Direction_Scale" },
			wantID: "Direction_Scale", wantPos: "prompts[0]", wantField: "id", wantMsg: "kebab-case"},
		{name: "id with a double hyphen", edit: func(c *Catalogue) { c.Prompts[0].ID = "direction--scale" },
			wantID: "direction--scale", wantPos: "prompts[0]", wantField: "id", wantMsg: "kebab-case"},
		{name: "id too long", edit: func(c *Catalogue) { c.Prompts[0].ID = strings.Repeat("a", 65) },
			wantID: strings.Repeat("a", 65), wantPos: "prompts[0]", wantField: "id", wantMsg: "at most 64"},
		{name: "duplicate id in prompts", edit: func(c *Catalogue) { c.Prompts[3].ID = "change-choice" },
			wantID: "change-choice", wantPos: "prompts[3]", wantField: "id", wantMsg: "already used by prompts[1]"},
		{name: "id shared by a prompt and an assessment item", edit: func(c *Catalogue) { c.Assessment[0].ID = "direction-scale" },
			wantID: "direction-scale", wantPos: "assessment[0]", wantField: "id", wantMsg: "already used by prompts[0]"},
		{name: "id not a string", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
			"prompts": [{"id": 7, "dimension": "horizon", "kind": "text", "section": "s", "text": "t"}]}`,
			wantPos: "prompts[0]", wantField: "id", wantMsg: "want a string, got a JSON number"},

		// Prompt fields.
		{name: "prompt not an object", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]}, "prompts": ["hi"]}`,
			wantPos: "prompts[0]", wantMsg: "must be a JSON object"},
		{name: "unknown dimension", edit: func(c *Catalogue) { c.Prompts[2].Dimension = "vision" },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "dimension", wantMsg: `unknown dimension "vision"`},
		{name: "unknown kind", edit: func(c *Catalogue) { c.Prompts[2].Kind = "essay" },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "kind", wantMsg: `unknown kind "essay"`},
		{name: "empty text", edit: func(c *Catalogue) { c.Prompts[2].Text = "" },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "text", wantMsg: "empty"},
		{name: "blank text", edit: func(c *Catalogue) { c.Prompts[2].Text = " \n\t" },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "text", wantMsg: "empty"},
		{name: "text too long", edit: func(c *Catalogue) { c.Prompts[2].Text = strings.Repeat("é", 301) },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "text", wantMsg: "301 characters"},
		{name: "missing section", edit: func(c *Catalogue) { c.Prompts[2].Section = "" },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "section", wantMsg: "missing"},
		{name: "text not a string", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
			"prompts": [{"id": "horizon-text", "dimension": "horizon", "kind": "text", "section": "s", "text": ["t"]}]}`,
			wantID: "horizon-text", wantPos: "prompts[0]", wantField: "text", wantMsg: "want a string, got a JSON array"},

		// Option counts.
		{name: "scale with four options", edit: func(c *Catalogue) { c.Prompts[0].Options = c.Prompts[0].Options[:4] },
			wantID: "direction-scale", wantPos: "prompts[0]", wantField: "options", wantMsg: "a scale needs exactly 5 options, got 4"},
		{name: "scale with six options", edit: func(c *Catalogue) {
			c.Prompts[0].Options = append(c.Prompts[0].Options, Option{Label: "More", Lean: intp(2)})
		}, wantID: "direction-scale", wantPos: "prompts[0]", wantField: "options", wantMsg: "got 6"},
		{name: "choice with one option", edit: func(c *Catalogue) { c.Prompts[1].Options = c.Prompts[1].Options[:1] },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options", wantMsg: "a choice needs 2 to 4 options, got 1"},
		{name: "choice with five options", edit: func(c *Catalogue) { c.Prompts[1].Options = leanScale() },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options", wantMsg: "got 5"},
		{name: "text with options", edit: func(c *Catalogue) { c.Prompts[2].Options = leanScale()[:2] },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "options", wantMsg: "has no options, got 2"},
		{name: "options not a list", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
			"prompts": [{"id": "c", "dimension": "change", "kind": "choice", "section": "s", "text": "t", "options": "yes"}]}`,
			wantID: "c", wantPos: "prompts[0]", wantField: "options", wantMsg: "want a list"},
		{name: "option not an object", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
			"prompts": [{"id": "c", "dimension": "change", "kind": "choice", "section": "s", "text": "t", "options": [{"label": "a", "lean": 1}, 3]}]}`,
			wantID: "c", wantPos: "prompts[0]", wantField: "options[1]", wantMsg: "want an object, got a JSON number"},

		// Labels.
		{name: "empty label", edit: func(c *Catalogue) { c.Prompts[1].Options[1].Label = "" },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[1].label", wantMsg: "empty"},
		{name: "label too long", edit: func(c *Catalogue) { c.Prompts[1].Options[0].Label = strings.Repeat("x", 76) },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[0].label", wantMsg: "76 characters"},

		// Slack's limits, counted as Slack counts (an emoji is two UTF-16 units).
		{name: "label of emoji too long for a button", edit: func(c *Catalogue) { c.Prompts[1].Options[0].Label = strings.Repeat("😀", 38) },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[0].label", wantMsg: "76 characters long as Slack counts them"},
		{name: "text of emoji too long", edit: func(c *Catalogue) { c.Prompts[0].Text = strings.Repeat("😀", 151) },
			wantID: "direction-scale", wantPos: "prompts[0]", wantField: "text", wantMsg: "302 characters"},
		{name: "section name too long", edit: func(c *Catalogue) { c.Prompts[2].Section = strings.Repeat("s", 151) },
			wantID: "horizon-text", wantPos: "prompts[2]", wantField: "section", wantMsg: "151 characters"},
		{name: "assessment too long for one modal", edit: func(c *Catalogue) {
			item := c.Assessment[0]
			c.Assessment = nil
			for i := range 100 {
				it := item
				it.ID = fmt.Sprintf("item-%d", i)
				c.Assessment = append(c.Assessment, it)
			}
		}, wantPos: "assessment[99]", wantField: "assessment", wantMsg: "at most 99 allowed"},

		// Lean.
		{name: "lean above 2", edit: func(c *Catalogue) { c.Prompts[1].Options[1].Lean = intp(3) },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[1].lean", wantMsg: "3 is outside -2..2"},
		{name: "lean below -2", edit: func(c *Catalogue) { c.Prompts[1].Options[0].Lean = intp(-3) },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[0].lean", wantMsg: "-3 is outside -2..2"},
		{name: "lean missing on a lean dimension", edit: func(c *Catalogue) { c.Prompts[1].Options[0].Lean = nil },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[0].lean", wantMsg: "missing"},
		{name: "lean not a number", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
			"prompts": [{"id": "c", "dimension": "change", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 1}, {"label": "b", "lean": "high"}]}]}`,
			wantID: "c", wantPos: "prompts[0]", wantField: "options[1].lean", wantMsg: "want a whole number, got a JSON string"},
		{name: "lean not whole", raw: `{"version": 1, "lexicon": {"leadership": ["a"], "management": ["b"]},
			"prompts": [{"id": "c", "dimension": "change", "kind": "choice", "section": "s", "text": "t",
			"options": [{"label": "a", "lean": 1.5}, {"label": "b", "lean": 1}]}]}`,
			wantID: "c", wantPos: "prompts[0]", wantField: "options[0].lean", wantMsg: "want a whole number"},
		{name: "scale out of order", edit: func(c *Catalogue) {
			c.Prompts[0].Options[1].Lean, c.Prompts[0].Options[2].Lean = intp(0), intp(-1)
		}, wantID: "direction-scale", wantPos: "prompts[0]", wantField: "options[2].lean", wantMsg: "increasing lean order, got -1 after 0"},
		{name: "scale with a repeated lean", edit: func(c *Catalogue) { c.Prompts[0].Options[4].Lean = intp(1) },
			wantID: "direction-scale", wantPos: "prompts[0]", wantField: "options[4].lean", wantMsg: "increasing lean order"},
		{name: "wellbeing value on a lean option", edit: func(c *Catalogue) { c.Prompts[1].Options[0].Wellbeing = intp(1) },
			wantID: "change-choice", wantPos: "prompts[1]", wantField: "options[0].wellbeing", wantMsg: "only wellbeing prompts"},
		{name: "shared option with a lean", edit: func(c *Catalogue) { c.Prompts[3].Options[1].Lean = intp(1) },
			wantID: "shared-choice", wantPos: "prompts[3]", wantField: "options[1].lean", wantMsg: "shared prompts carry no lean"},
		{name: "shared option with a wellbeing value", edit: func(c *Catalogue) { c.Prompts[3].Options[0].Wellbeing = intp(1) },
			wantID: "shared-choice", wantPos: "prompts[3]", wantField: "options[0].wellbeing", wantMsg: "only wellbeing prompts"},

		// Wellbeing.
		{name: "wellbeing value missing", edit: func(c *Catalogue) { c.Prompts[4].Options[2].Wellbeing = nil },
			wantID: "wellbeing-scale", wantPos: "prompts[4]", wantField: "options[2].wellbeing", wantMsg: "missing"},
		{name: "wellbeing value out of range", edit: func(c *Catalogue) { c.Prompts[4].Options[4].Wellbeing = intp(5) },
			wantID: "wellbeing-scale", wantPos: "prompts[4]", wantField: "options[4].wellbeing", wantMsg: "5 is outside -2..2"},
		{name: "lean on a wellbeing option", edit: func(c *Catalogue) { c.Prompts[4].Options[0].Lean = intp(0) },
			wantID: "wellbeing-scale", wantPos: "prompts[4]", wantField: "options[0].lean", wantMsg: "carry no lean"},
		{name: "wellbeing scale out of order", edit: func(c *Catalogue) {
			c.Prompts[4].Options[0].Wellbeing = intp(2)
		}, wantID: "wellbeing-scale", wantPos: "prompts[4]", wantField: "options[1].wellbeing", wantMsg: "increasing wellbeing order"},

		// The assessment obeys the same rules.
		{name: "assessment item breaks a rule", edit: func(c *Catalogue) { c.Assessment[0].Section = "  " },
			wantID: "assess-direction", wantPos: "assessment[0]", wantField: "section", wantMsg: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.raw == "" {
				c := validCatalogue()
				tt.edit(&c)
				data = marshal(t, c)
			}
			c, err := Parse(data)
			if err == nil {
				t.Fatalf("got catalogue with %d prompts, want an error", len(c.Prompts))
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %T %q, want a *ValidationError", err, err)
			}
			if verr.PromptID != tt.wantID || verr.Position != tt.wantPos || verr.Field != tt.wantField {
				t.Errorf("got id %q position %q field %q, want %q, %q, %q", verr.PromptID, verr.Position, verr.Field, tt.wantID, tt.wantPos, tt.wantField)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "prompts.json: ") {
				t.Errorf("error %q: want it to start with the file name", msg)
			}
			switch {
			case tt.wantID != "" && !strings.Contains(msg, `prompt "`+tt.wantID+`"`):
				t.Errorf("error %q: want it to name prompt %q", msg, tt.wantID)
			case tt.wantID == "" && tt.wantPos != "" && !strings.Contains(msg, tt.wantPos):
				t.Errorf("error %q: want it to name position %s", msg, tt.wantPos)
			}
			if tt.wantField != "" && !strings.Contains(msg, `field "`+tt.wantField+`"`) {
				t.Errorf("error %q: want it to name field %q", msg, tt.wantField)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q: want it to say %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestValidationErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  ValidationError
		want string
	}{
		{"by id", ValidationError{PromptID: "direction-big-picture", Position: "prompts[0]", Field: "options",
			Msg: "a scale needs exactly 5 options, got 4"},
			`prompts.json: prompt "direction-big-picture": field "options": a scale needs exactly 5 options, got 4`},
		{"by position", ValidationError{Position: "assessment[2]", Field: "id", Msg: "is missing"},
			`prompts.json: assessment[2]: field "id": is missing`},
		{"file-level", ValidationError{Field: "version", Msg: "unsupported version 2; want 1"},
			`prompts.json: field "version": unsupported version 2; want 1`},
		{"named source", ValidationError{Source: "/etc/reflect/team.json", PromptID: "x", Field: "text", Msg: "is empty"},
			`/etc/reflect/team.json: prompt "x": field "text": is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty file", "", "line 1, column 1 (byte 0)"},
		{"trailing comma", `{"version": 1,}`, "line 1, column 15 (byte 14)"},
		{"error on a later line", "{\n  \"version\": 1,\n  \"prompts\": [}\n", "line 3, column 15 (byte 32)"},
		{"columns count characters", "{\"é\": 1 2}", "line 1, column 9 (byte 9)"},
		{"after a byte-order mark", "\xEF\xBB\xBF{,", "line 1, column 2 (byte 4)"},
		{"trailing garbage", `{"version": 1} x`, "(byte 15)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil {
				t.Fatal("got no error, want a syntax error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "prompts.json: invalid JSON at ") {
				t.Errorf("got %q, want it to locate the error at %q", err, tt.want)
			}
			var syn *json.SyntaxError
			if !errors.As(err, &syn) {
				t.Errorf("got %T, want it to wrap a *json.SyntaxError", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "team.json")
	c := validCatalogue()
	if err := os.WriteFile(good, marshal(t, c), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	c.Prompts[0].Text = ""
	if err := os.WriteFile(bad, marshal(t, c), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		path        string
		wantPrompts int
		wantErr     string
	}{
		{"empty path is the built-in catalogue", "", -1, ""},
		{"override file", good, len(validCatalogue().Prompts), ""},
		{"missing file", filepath.Join(dir, "nope.json"), 0, "load catalogue: open "},
		{"invalid file names itself", bad, 0, bad + `: prompt "direction-scale": field "text": is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			want := tt.wantPrompts
			if want < 0 {
				want = len(builtin(t).Prompts)
			}
			if len(got.Prompts) != want {
				t.Errorf("got %d prompts, want %d", len(got.Prompts), want)
			}
		})
	}
}

func TestCataloguePromptLookup(t *testing.T) {
	c, err := Parse(marshal(t, validCatalogue()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id       string
		wantOK   bool
		wantKind Kind
	}{
		{"horizon-text", true, Text},
		{"assess-direction", true, Scale},
		{"no-such-prompt", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p, ok := c.Prompt(tt.id)
			if ok != tt.wantOK || p.Kind != tt.wantKind || (ok && p.ID != tt.id) {
				t.Errorf("got %q %q %v, want %q %q %v", p.ID, p.Kind, ok, tt.id, tt.wantKind, tt.wantOK)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	c, err := Parse(marshal(t, validCatalogue()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[Dimension]int{Direction: 1, Change: 1, Culture: 0, People: 0, Adaptability: 0, Horizon: 1, Shared: 1, Wellbeing: 1}
	got := c.Counts()
	if len(got) != len(want) {
		t.Errorf("got %d dimensions, want %d", len(got), len(want))
	}
	for d, n := range want {
		if got[d] != n {
			t.Errorf("%s: got %d, want %d", d, got[d], n)
		}
	}
}
