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
const maxSectionText = 3000

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

// escapeMrkdwn escapes the three characters Slack's mrkdwn gives meaning to, so outside text
// cannot become a mention or a link.
// https://docs.slack.dev/messaging/formatting-message-text#escaping
func escapeMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// escapeTruncated escapes outside text for mrkdwn within n characters as slackLen counts them:
// it cuts the raw text first, at the longest prefix whose escaped form fits with the "…", and
// escapes after, so a cut never lands inside an escape.
func escapeTruncated(s string, n int) string {
	if e := escapeMrkdwn(s); slackLen(e) <= n {
		return e
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		piece := escapeMrkdwn(string(r))
		if used+slackLen(piece) > n-1 {
			break
		}
		b.WriteString(piece)
		used += slackLen(piece)
	}
	return b.String() + "…"
}

// codeSpan shows outside text in `code`; a backtick in it would end the span early.
func codeSpan(s string) string {
	return "`" + strings.ReplaceAll(escapeMrkdwn(s), "`", "'") + "`"
}

// truncate shortens plain text to at most n characters as slackLen counts them, marking the cut.
// Text that is escaped for mrkdwn afterwards grows: use escapeTruncated for that.
func truncate(s string, n int) string {
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
	cut := []rune(truncate(s, n))
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

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func section(blockID, text string) *slack.SectionBlock {
	text = truncateMrkdwn(text, maxSectionText)
	return slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(blockID))
}

func contextNote(blockID, text string) *slack.ContextBlock {
	return slack.NewContextBlock(blockID, mrkdwn(text))
}

// usageLine is one line of the slash command's usage.
type usageLine struct{ args, what string }

// usageLines follow PRODUCT §6.
var usageLines = []usageLine{
	{"help", "this help"},
	{"assess", "take the leadership and management self-assessment"},
	{"prompt", "get a reflection prompt now"},
	{"summary [YYYY-MM]", "your trend summary for this month so far, or for the month given"},
	{"history", "your recent answers"},
	{"schedule <mon..sun> <HH:MM>", "your prompt day and time, in your own time zone"},
	{"pause [N | until YYYY-MM-DD]", "pause prompts for N weeks, until a date, or until you resume"},
	{"resume", "start prompts again after a pause"},
	{"start", "join the weekly prompts yourself"},
	{"stop", "leave the weekly prompts"},
	{"optin", "in a channel: enrol its members (team leads)"},
	{"optout", "in a channel: remove it (team leads)"},
	{"team", "in an opted-in channel: the anonymous team summary"},
	{"export", "get a file of all your data by DM"},
	{"forget", "delete all your data (asks first)"},
}

const introText = "*Reflect* sends you one short reflection prompt a week and a monthly trend: " +
	"does your week lean toward leadership or management, and how sustainable is your work?"

// usageList is the command list in mrkdwn, one command a line.
func usageList(command string) string {
	var b strings.Builder
	for i, l := range usageLines {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "`%s %s` — %s", command, escapeMrkdwn(l.args), escapeMrkdwn(l.what))
	}
	return b.String()
}

// usagePlain is the command list as plain text for the notification fallback.
func usagePlain(command string) string {
	var b strings.Builder
	for _, l := range usageLines {
		fmt.Fprintf(&b, "\n%s %s: %s", command, l.args, l.what)
	}
	return b.String()
}

// UsageMessage is the reply to "/reflect" and "/reflect help", shown only to the caller.
func UsageMessage(command string) Message {
	return usageWith(command, "", "How to use Reflect:")
}

// usageWith prefixes the usage with a lead line (for errors) or the product intro.
func usageWith(command, lead, plainLead string) Message {
	blocks := []slack.Block{}
	if lead != "" {
		blocks = append(blocks, section("usage_problem", lead))
	} else {
		blocks = append(blocks, section("usage_intro", introText))
	}
	blocks = append(blocks,
		section("usage_commands", usageList(command)),
		contextNote("usage_note", "Only you can see this. Your lean is a tendency read from your own answers, not a diagnosis."),
	)
	return Message{Text: escapeMrkdwn(plainLead + usagePlain(command)), Blocks: blocks}
}

// UnknownVerbMessage answers a verb the command does not have, with the usage.
func UnknownVerbMessage(command, verb string) Message {
	lead := fmt.Sprintf("I don't know %s. Here is what I can do:", codeSpan(verb))
	plain := fmt.Sprintf("I don't know %q. Here is what I can do:", verb)
	return usageWith(command, lead, plain)
}

// CommandErrorMessage answers command text that could not be read, with the usage.
func CommandErrorMessage(command string, e *CommandError) Message {
	lead := fmt.Sprintf("I couldn't read that command: %s.", escapeMrkdwn(e.Problem))
	plain := fmt.Sprintf("I couldn't read that command: %s.", e.Problem)
	if l, ok := usageOf(e.Verb); ok {
		line := fmt.Sprintf("Usage: `%s %s` — %s", command, escapeMrkdwn(l.args), escapeMrkdwn(l.what))
		return Message{
			Text:   escapeMrkdwn(fmt.Sprintf("%s\nUsage: %s %s: %s", plain, command, l.args, l.what)),
			Blocks: []slack.Block{section("usage_problem", lead), section("usage_commands", line)},
		}
	}
	return usageWith(command, lead, plain)
}

// usageOf finds the usage line of verb.
func usageOf(verb string) (usageLine, bool) {
	for _, l := range usageLines {
		if v, _, _ := strings.Cut(l.args, " "); verb != "" && v == verb {
			return l, true
		}
	}
	return usageLine{}, false
}

// ComingSoonMessage answers a documented verb whose capability is not built yet.
func ComingSoonMessage(command, verb string) Message {
	text := fmt.Sprintf("%s is coming soon: it isn't available yet. Try `%s help` to see what works today.",
		codeSpan(command+" "+verb), command)
	plain := fmt.Sprintf("%s %s is coming soon: it isn't available yet. Try %s help to see what works today.",
		command, verb, command)
	return Message{Text: escapeMrkdwn(plain), Blocks: []slack.Block{section("coming_soon", text)}}
}

// ApologyMessage is the private note a person gets when handling their request failed.
func ApologyMessage() Message {
	text := "Sorry, something went wrong on my side and I couldn't finish that. Please try again in a moment."
	return Message{Text: text, Blocks: []slack.Block{section("apology", text)}}
}

// DMHelpMessage is the reply to a DM that is neither an answer nor a command word.
func DMHelpMessage(command string) Message {
	lead := "Hi! I'm Reflect. I send you a short reflection prompt each week; when one is open, " +
		"just reply here to answer it. You can also type *help*, *assess*, *summary*, *pause*, *start* or *stop*."
	cmds := fmt.Sprintf("Or use `%s help` anywhere to see everything I can do.", command)
	plain := fmt.Sprintf("Hi! I'm Reflect. I send you a short reflection prompt each week; when one is open, "+
		"just reply here to answer it. You can also type help, assess, summary, pause, start or stop, "+
		"or use %s help anywhere.", command)
	return Message{Text: escapeMrkdwn(plain), Blocks: []slack.Block{
		section("dm_help", lead),
		contextNote("dm_help_commands", cmds),
	}}
}
