package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// rawUserID matches a Slack user id standing alone in text. A mention (<@U…>) is fine: Slack
// shows it as the person's name.
var (
	rawUserID = regexp.MustCompile(`\b[UW][A-Z0-9]{2,}\b`)
	mention   = regexp.MustCompile(`<@[^>]*>`)
)

// readableIDs returns the raw user ids in the text a person reads of a rendered message or view
// (every "text" field; values, action ids and block ids are not shown).
func readableIDs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "text" {
				for _, id := range rawUserID.FindAllString(mention.ReplaceAllString(s, ""), -1) {
					if id != "UTC" {
						out = append(out, id)
					}
				}
				continue
			}
			out = append(out, readableIDs(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, readableIDs(x)...)
		}
	}
	return out
}

// TestNoRawUserIDInGoldens: no rendered message or view of any feature shows a raw user id, only
// mentions.
func TestNoRawUserIDInGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "feature", "*", "testdata", "*.golden.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if ids := readableIDs(v); len(ids) > 0 {
			t.Errorf("%s shows raw user ids %v; mention people as <@id>", f, ids)
		}
	}
}

func TestReadableIDs(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{"Opted in by <@ULEAD>", 0},
		{"Opted in by ULEAD", 1},
		{"Monday at 09:00 (UTC)", 0},
		{"Ask W012ABCDE", 1},
	} {
		if got := readableIDs(map[string]any{"text": tt.text}); len(got) != tt.want {
			t.Errorf("%q: got %v, want %d ids", tt.text, got, tt.want)
		}
	}
}
