package slackapp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestMessageJSONRoundTrip(t *testing.T) {
	m := Message{Text: "How to use it:\n/x help: this help", Blocks: []slack.Block{
		Section("usage_intro", "*Reflect* & <friends>"), ContextNote("usage_note", "Only you can see this."),
	}}
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
		if got := Truncate(tt.in, tt.n); got != tt.want {
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
		{"an escape at the cut", EscapeMrkdwn(pad(2997) + "<b>"), pad(5) + "…"},
		{"an escape just fitting", pad(2995) + "&lt;" + "bbb", "&lt;…"},
		{"a code span across the cut", pad(2990) + "`" + pad(20) + "`", pad(5) + "…"},
		{"a mention across the cut", pad(2995) + "<@U012ABCDEF>", pad(5) + "…"},
		{"emoji count twice", strings.Repeat("😀", 1600), "😀…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Section("s", tt.text).Text.Text
			if n := slackLen(got); n > MaxSectionText {
				t.Errorf("got %d characters, want at most %d", n, MaxSectionText)
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
	first := TextMessage("same", "First version")
	second := TextMessage("same", "Second version")
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

// TestDateText: a moment shown to a person is a Slack date token (their zone and their 12/24-hour
// clock, as Slack knows them), with a fallback in their zone and the zone named.
func TestDateText(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC) // 09:00 BST
	want := "<!date^1774857600^{date_long_pretty} at {time}|Monday 30 March at 09:00> (Europe/London)"
	if got := DateText(at, london); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestQuoteIsEscapedAndCut: a person's words are quoted on one line, escaped, and cut.
func TestQuoteIsEscapedAndCut(t *testing.T) {
	got := Quote("  <@U1> & *bold*\n"+strings.Repeat("word ", 100), 40)
	if strings.Contains(got, "<@") || !strings.Contains(got, "&lt;@U1&gt; &amp;") || len([]rune(got)) > 60 || strings.Contains(got, "\n") {
		t.Errorf("Quote = %q, want one escaped line cut to about 40", got)
	}
}
