package slackapp

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
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

// TestSectionCut: a section's text is cut to Slack's 3000 characters as Slack counts them (the
// text as sent, escapes at full length; UTF-16 units, so an emoji is two), and never inside an
// escape, a code span or a <…>.
func TestSectionCut(t *testing.T) {
	pad := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name    string
		text    string // mrkdwn, as built
		wantEnd string // what the cut text ends with
	}{
		{"fits", pad(3000), "aaa"},
		{"an escape at the cut", escapeMrkdwn(pad(2997) + "<b>"), pad(5) + "…"},
		{"an escape just fitting", pad(2995) + "&lt;" + "bbb", "&lt;…"},
		{"a code span across the cut", pad(2990) + "`" + pad(20) + "`", pad(5) + "…"},
		{"a mention across the cut", pad(2995) + "<@U012ABCDEF>", pad(5) + "…"},
		{"emoji count twice", strings.Repeat("😀", 1600), "😀…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := section("s", tt.text).Text.Text
			if n := slackLen(got); n > maxSectionText {
				t.Errorf("got %d characters, want at most %d", n, maxSectionText)
			}
			if !strings.HasSuffix(got, tt.wantEnd) {
				t.Errorf("text ends %q, want it to end %q", got[max(0, len(got)-20):], tt.wantEnd)
			}
			if strings.Count(got, "`")%2 != 0 {
				t.Error("an unclosed code span")
			}
		})
	}
}

// TestEscapeTruncated: outside text is cut before it is escaped, to a length that fits once
// escaped.
func TestEscapeTruncated(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a<b", 6, "a&lt;b"},
		{"a<b", 5, "a…"},
		{"a<b", 6 - 1, "a…"},
		{"&&&", 11, "&amp;&amp;…"},
		{"ok", 2, "ok"},
	}
	for _, tt := range tests {
		if got := escapeTruncated(tt.in, tt.n); got != tt.want || slackLen(got) > tt.n {
			t.Errorf("escapeTruncated(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestUpdatedBlockIDs: each version of an updated message gets block_ids of its own.
func TestUpdatedBlockIDs(t *testing.T) {
	ids := func(m Message) []string {
		v, err := versioned(m)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		var w struct {
			Blocks []struct {
				BlockID string `json:"block_id"`
			}
		}
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range w.Blocks {
			out = append(out, b.BlockID)
		}
		return out
	}
	first := textMessage("same", "First version")
	second := textMessage("same", "Second version")
	a, b, again := ids(first), ids(second), ids(first)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("got ids %v and %v", a, b)
	}
	for i := range a {
		if a[i] == b[i] || a[i] == "same" {
			t.Errorf("block %d: ids %q and %q, want a new id per version, not the built one", i, a[i], b[i])
		}
	}
	if !reflect.DeepEqual(a, again) {
		t.Errorf("the same version got ids %v, then %v", a, again)
	}
}
