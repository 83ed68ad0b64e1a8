package slackapp

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares m, as Slack would receive it, with testdata/name.golden.json.
func golden(t *testing.T, name string, m Message) {
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

func TestBlocksGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
	}{
		{name: "usage", msg: UsageMessage("/reflect")},
		{name: "usage_custom_command", msg: UsageMessage("/lead")},
		{name: "unknown_verb", msg: UnknownVerbMessage("/reflect", "dance")},
		{name: "unknown_verb_escaped", msg: UnknownVerbMessage("/reflect", "<@U1>&`x`")},
		{name: "command_error", msg: CommandErrorMessage("/reflect", &CommandError{Problem: "it contains control characters"})},
		{name: "coming_soon", msg: ComingSoonMessage("/reflect", "summary")},
		{name: "apology", msg: ApologyMessage()},
		{name: "dm_help", msg: DMHelpMessage("/reflect")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, tt.msg)
			checkLimits(t, tt.msg)
		})
	}
}

// checkLimits enforces the Block Kit rules every message must meet.
// https://docs.slack.dev/reference/block-kit/blocks
func checkLimits(t *testing.T, m Message) {
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
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			if n := len([]rune(s.Text.Text)); n > maxSectionText {
				t.Errorf("got section text of %d characters, want at most %d", n, maxSectionText)
			}
		}
	}
}

func TestOutsideTextCannotMention(t *testing.T) {
	for name, m := range map[string]Message{
		"unknown verb":  UnknownVerbMessage("/reflect", "<!channel>"),
		"command error": CommandErrorMessage("/reflect", &CommandError{Problem: "<!channel>"}),
	} {
		texts := []string{m.Text}
		for _, b := range m.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
				texts = append(texts, s.Text.Text)
			}
		}
		for _, s := range texts {
			if strings.Contains(s, "<!channel>") {
				t.Errorf("%s: got %q, want the outside text escaped so it cannot notify a channel", name, s)
			}
		}
	}
}

func TestMessageJSONRoundTrip(t *testing.T) {
	m := UsageMessage("/reflect")
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Message
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	again, _ := json.Marshal(back)
	if string(again) != string(js) {
		t.Errorf("round trip got %s, want %s", again, js)
	}
	textOnly, _ := json.Marshal(Message{Text: "hi"})
	if string(textOnly) != `{"text":"hi"}` {
		t.Errorf("got %s, want no blocks field for a text-only message", textOnly)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ééé", 2, "é…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
