package mirror

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/reflect-bot/reflect/internal/slackapp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares m, as Slack would receive it, with testdata/name.golden.json.
func golden(t *testing.T, name string, m slackapp.Message) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatalf("marshal %s: %v", name, err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update if the change is intended)\ngot:\n%s", name, path, got)
	}
}

// checkLimits enforces the Block Kit rules every message must meet.
// https://docs.slack.dev/reference/block-kit/blocks
func checkLimits(t *testing.T, m slackapp.Message) {
	t.Helper()
	if m.Text == "" {
		t.Errorf("got no text, want text with every message")
	}
	if len(m.Blocks) > 50 {
		t.Errorf("got %d blocks, want at most 50", len(m.Blocks))
	}
	ids := map[string]bool{}
	for _, b := range m.Blocks {
		id := b.ID()
		if id != "" && ids[id] {
			t.Errorf("got block_id %q twice, want unique ids", id)
		}
		ids[id] = true
		if s, ok := b.(*slackapp.SectionBlock); ok && s.Text != nil {
			if n := len([]rune(s.Text.Text)); n > slackapp.MaxSectionText {
				t.Errorf("got section text of %d characters, want at most %d", n, slackapp.MaxSectionText)
			}
		}
	}
}
