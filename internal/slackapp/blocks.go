package slackapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/slack-go/slack"
)

// Message is something to show a person: Text always (it is the notification, the screen-reader
// text and the fallback Slack asks for whenever there are blocks), Blocks optionally. Text is
// mrkdwn too, so outside text in it must be escaped.
// https://docs.slack.dev/reference/methods/chat.postMessage#text_usage
type Message struct {
	Text   string
	Blocks []slack.Block
}

// messageJSON is Message on the wire: golden files and outbox payloads.
type messageJSON struct {
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks,omitzero"`
}

// MarshalJSON writes {"text":…,"blocks":[…]}.
func (m Message) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keeps "&lt;" readable in golden files; Slack reads either
	if err := enc.Encode(messageJSON{Text: m.Text, Blocks: slack.Blocks{BlockSet: m.Blocks}}); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Message) UnmarshalJSON(b []byte) error {
	var w messageJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("slackapp: decode message: %w", err)
	}
	m.Text, m.Blocks = w.Text, w.Blocks.BlockSet
	return nil
}

// maxSectionText is Slack's limit on a section's text.
// https://docs.slack.dev/reference/block-kit/blocks/section-block
const MaxSectionText = 3000

// slackLen is a text's length as Slack's limits count it, or more. Slack checks the text field as
// sent ("must be less than 3001 characters [json-pointer:/blocks/0/text/text]"), so an escape
// such as "&lt;" counts as its four characters, not as the one it shows. Its limits are stated
// in characters (https://docs.slack.dev/reference/block-kit/blocks/section-block); counted here
// in UTF-16 code units, as JavaScript's length (and @slack/types' users) counts them, which is
// never fewer than code points: a text within this count is within Slack's either way.
func slackLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// EscapeMrkdwn escapes the three characters Slack's mrkdwn gives meaning to, so outside text
// cannot become a mention or a link.
// https://docs.slack.dev/messaging/formatting-message-text#escaping
func EscapeMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// CodeSpan shows outside text in `code`; a backtick in it would end the span early.
func CodeSpan(s string) string {
	return "`" + strings.ReplaceAll(EscapeMrkdwn(s), "`", "'") + "`"
}

// Quote shows a person's own words in mrkdwn: on one line, cut to at most n characters, escaped,
// in curly quotes.
func Quote(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	return "“" + EscapeMrkdwn(Truncate(s, n)) + "”"
}

// Truncate shortens plain text to at most n characters as slackLen counts them, marking the cut.
// Escaping it for mrkdwn afterwards can make it longer.
func Truncate(s string, n int) string {
	if slackLen(s) <= n {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		if used+utf16.RuneLen(r) > n-1 {
			break
		}
		b.WriteRune(r)
		used += utf16.RuneLen(r)
	}
	return b.String() + "…"
}

// truncateMrkdwn shortens text that is mrkdwn already (escaped outside text, our own *bold*,
// `code` and <@mentions>) to at most n characters as slackLen counts them. The cut backs off to
// before an escape it would split ("&l…"), a code span or a <…> it would leave open, so what
// remains still reads as it would have. It is the last guard of a block's limit; outside text
// should be cut before it is escaped (escapeTruncated).
func truncateMrkdwn(s string, n int) string {
	if slackLen(s) <= n {
		return s
	}
	cut := []rune(Truncate(s, n))
	cut = cut[:len(cut)-1] // the "…"
	for {
		t := string(cut)
		switch {
		case strings.LastIndexByte(t, '&') > strings.LastIndexByte(t, ';'):
			cut = []rune(t[:strings.LastIndexByte(t, '&')])
		case strings.LastIndexByte(t, '<') > strings.LastIndexByte(t, '>'):
			cut = []rune(t[:strings.LastIndexByte(t, '<')])
		case strings.Count(t, "`")%2 == 1:
			cut = []rune(t[:strings.LastIndexByte(t, '`')])
		default:
			return t + "…"
		}
	}
}

// Mrkdwn is a mrkdwn text object.
func Mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// Section is a section block of mrkdwn text, cut to Slack's limit if it is longer.
func Section(blockID, text string) *slack.SectionBlock {
	text = truncateMrkdwn(text, MaxSectionText)
	return slack.NewSectionBlock(Mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(blockID))
}

// ContextNote is a context block of one mrkdwn text: the small print under a message.
func ContextNote(blockID, text string) *slack.ContextBlock {
	return slack.NewContextBlock(blockID, Mrkdwn(text))
}
