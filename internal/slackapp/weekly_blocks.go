package slackapp

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
)

// Action ids and the modal's callback id of the weekly prompts.
const (
	actionAnswer     = "answer"      // one tap on an option: d, p, o
	actionChange     = "change"      // a tap on another option of an answered prompt: d, p, o
	actionAnswerText = "answer_text" // opens the text modal: d, p
	actionSkip       = "skip"        // skip this week: d
	actionRemind     = "remind"      // remind me tomorrow: d
	actionContinue   = "continue"    // after four unanswered: a = pause | carry | stop
	viewAnswerText   = "answer_text"
	textBlockID      = "answer"
	textActionID     = "text"
)

// Limits from Slack's docs.
const (
	// https://docs.slack.dev/reference/block-kit/block-elements/button-element: text ≤ 75.
	maxButtonText = 75
	// https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element: ≤ 3000.
	maxAnswerLength = 3000
	// A quoted answer in a confirmation is cut to keep the message short.
	maxQuote = 280
)

// continuePauseWeeks is how long "Pause for a while" pauses after four unanswered prompts.
const continuePauseWeeks = 4

func button(actionID, label string, v ActionValue) *slack.ButtonBlockElement {
	value, err := EncodeActionValue(v)
	if err != nil {
		// Values are built from catalogue ids and delivery ids, which always encode.
		panic(fmt.Sprintf("slackapp: encode action value: %v", err))
	}
	return slack.NewButtonBlockElement(actionID, value, plainText(truncate(label, maxButtonText)))
}

// promptIntro is the line above a question.
func promptIntro(kind db.Kind) string {
	switch kind {
	case db.KindWellbeing:
		return "And a one-tap check on how the week felt:"
	case db.KindReminder:
		return "A gentle nudge: this week's reflection is still open. One tap or a few words is plenty."
	default:
		return "Your reflection for this week:"
	}
}

// PromptMessage is the DM with one question: option buttons for scale and choice prompts, an
// Answer button (a modal) for text prompts, and for the week's main prompt "Skip this week" and
// "Remind me tomorrow". kind is db.KindPrompt, db.KindWellbeing or db.KindReminder. order is the
// order the options are shown in, as indices into p.Options (prompts.Catalogue.OptionOrder); nil
// shows them in catalogue order. Each button carries its option's index, never its place, so the
// answer recorded is the option tapped whatever the order.
func PromptMessage(kind db.Kind, deliveryID int64, p prompts.Prompt, order []int) Message {
	intro := promptIntro(kind)
	blocks := []slack.Block{
		section("prompt_intro", intro),
		section("prompt_question", "*"+escapeMrkdwn(p.Text)+"*"),
	}
	var answers []slack.BlockElement
	if p.Kind == prompts.Text {
		answers = append(answers, button(actionAnswerText, "Answer", ActionValue{DeliveryID: deliveryID, PromptID: p.ID}).
			WithStyle(slack.StylePrimary))
	} else {
		if len(order) != len(p.Options) {
			order = make([]int, len(p.Options))
			for i := range order {
				order[i] = i
			}
		}
		for _, i := range order {
			answers = append(answers, button(fmt.Sprintf("%s:%d", actionAnswer, i), p.Options[i].Label,
				ActionValue{DeliveryID: deliveryID, PromptID: p.ID, HasOption: true, Option: i}))
		}
	}
	blocks = append(blocks, slack.NewActionBlock("prompt_answers", answers...))
	if kind != db.KindWellbeing {
		blocks = append(blocks, slack.NewActionBlock("prompt_later",
			button(actionSkip, "Skip this week", ActionValue{DeliveryID: deliveryID}),
			button(actionRemind, "Remind me tomorrow", ActionValue{DeliveryID: deliveryID}),
		))
	}
	hint := "From the article's section “" + escapeMrkdwn(p.Section) + "”."
	if p.Kind == prompts.Text {
		hint += " You can also just reply here in the DM."
	}
	blocks = append(blocks, contextNote("prompt_source", hint))
	return Message{Text: escapeMrkdwn(intro + " " + p.Text), Blocks: blocks}
}

// quote shows a person's answer back to them, shortened and escaped.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return "“" + escapeMrkdwn(truncate(s, maxQuote)) + "”"
}

// How a person can change an answer, said under it. Each is true of the message it ends: a tapped
// answer keeps its options, a typed reply can be edited or deleted, and a modal's answer cannot be
// reopened from the message, so it says nothing of the kind.
const (
	changeByTap  = "Tap another option to change your answer."
	changeByEdit = "Edit or delete your reply to change it."
	changeNone   = ""
)

// AnsweredMessage replaces a prompt once answered: the question, the answer and how it was read.
// It holds exactly one "read as …" phrase. change says how to change the answer
// (changeByEdit or changeNone); a tapped answer uses AnsweredOptionMessage, which keeps the options.
func AnsweredMessage(p prompts.Prompt, answer string, r prompts.Reading, change string) Message {
	explain := escapeMrkdwn(r.Explain())
	note := "A tendency read from your own words and choices, not a diagnosis."
	if change != "" {
		note += " " + change
	}
	blocks := []slack.Block{
		section("answered_question", escapeMrkdwn(p.Text)),
		section("answered_answer", "✅ Recorded: "+quote(answer)+"\n"+explain),
		contextNote("answered_note", note),
	}
	return Message{Text: "Recorded. " + explain, Blocks: blocks}
}

// AnsweredOptionMessage replaces a one-tap prompt once an option is tapped: the answered message,
// with the options kept in the order the person saw them (order, as in PromptMessage) and the
// chosen one marked, so that tapping another replaces the answer and its reading. Its buttons are
// "change" actions, handled as a tap on the prompt, so an answered message carries no answer
// buttons and reads as answered wherever it is shown.
func AnsweredOptionMessage(deliveryID int64, p prompts.Prompt, order []int, chosen int, r prompts.Reading) Message {
	m := AnsweredMessage(p, p.Options[chosen].Label, r, changeByTap)
	if len(order) != len(p.Options) {
		order = make([]int, len(p.Options))
		for i := range order {
			order[i] = i
		}
	}
	var options []slack.BlockElement
	for _, i := range order {
		label := p.Options[i].Label
		if i == chosen {
			label = "✓ " + label
		}
		b := button(fmt.Sprintf("%s:%d", actionChange, i), label,
			ActionValue{DeliveryID: deliveryID, PromptID: p.ID, HasOption: true, Option: i})
		if i == chosen {
			b = b.WithStyle(slack.StylePrimary)
		}
		options = append(options, b)
	}
	// The options go between the answer and the note.
	last := len(m.Blocks) - 1
	m.Blocks = append(m.Blocks[:last:last], slack.NewActionBlock("answered_options", options...), m.Blocks[last])
	return m
}

// strainedEnd is the reading of the wellbeing scale's strained end (−2 of ±2): an answer there,
// such as "Yes, seriously" to having thought of leaving, is followed by where to find support.
const strainedEnd = -1

// WithSupport adds the support note to an answered message, gently and apart from how the answer
// was read. An empty support text leaves the message as it is.
func WithSupport(m Message, support string) Message {
	if strings.TrimSpace(support) == "" {
		return m
	}
	m.Blocks = append(m.Blocks, section("answered_support", "💬 "+escapeMrkdwn(support)))
	m.Text += "\n" + escapeMrkdwn(support)
	return m
}

// SkippedMessage replaces a prompt the person skipped.
func SkippedMessage(p prompts.Prompt) Message {
	text := "Skipped this week — no problem. See you at the next one."
	return Message{Text: text, Blocks: []slack.Block{
		section("skipped_question", "~"+escapeMrkdwn(p.Text)+"~"),
		section("skipped", text),
	}}
}

// ContinueMessage asks, once, whether to pause or carry on after four unanswered prompts.
func ContinueMessage() Message {
	text := "You haven't answered the last four prompts, so I've stopped sending them for now. " +
		"Would you like a break, or shall I carry on?"
	return Message{Text: text, Blocks: []slack.Block{
		section("continue_question", text),
		slack.NewActionBlock("continue_choices",
			button(actionContinue+":pause", fmt.Sprintf("Pause for %d weeks", continuePauseWeeks), ActionValue{Arg: "pause"}),
			button(actionContinue+":carry", "Carry on", ActionValue{Arg: "carry"}).WithStyle(slack.StylePrimary),
			button(actionContinue+":stop", "Stop the prompts", ActionValue{Arg: "stop"}),
		),
	}}
}

// ContinueAnsweredMessage replaces the question once answered.
func ContinueAnsweredMessage(choice string) Message {
	return Message{Text: choice, Blocks: []slack.Block{section("continue_done", choice)}}
}

// AnswerModal is the modal a text prompt's Answer button opens.
func AnswerModal(deliveryID int64, p prompts.Prompt) View {
	meta, _ := EncodeActionValue(ActionValue{DeliveryID: deliveryID, PromptID: p.ID})
	input := slack.NewPlainTextInputBlockElement(plainText("A few words or a few lines"), textActionID)
	input.Multiline = true
	input.MaxLength = maxAnswerLength
	return View{
		CallbackID:      viewAnswerText,
		Title:           "Your reflection",
		Submit:          "Save",
		Close:           "Cancel",
		PrivateMetadata: meta,
		Blocks: []slack.Block{
			section("modal_question", "*"+escapeMrkdwn(p.Text)+"*"),
			slack.NewInputBlock(textBlockID, plainText("Your answer"), nil, input),
			contextNote("modal_note", "Only you see your answers. Reflect reads them for words that lean toward leadership or management."),
		},
	}
}

// whenText writes an occurrence for the person, as mrkdwn. Slack shows a <!date> token in the
// reader's own time zone and their 12- or 24-hour clock setting; its fallback, for clients and
// notifications that cannot, is the same moment in the person's zone, 24-hour. The zone is named
// either way: "Monday 30 November at 09:00 (Europe/London)".
// https://docs.slack.dev/messaging/formatting-message-text#date-formatting
func whenText(t time.Time, loc *time.Location) string {
	fallback := t.In(loc).Format("Monday 2 January at 15:04")
	return fmt.Sprintf("<!date^%d^{date_long_pretty} at {time}|%s> (%s)", t.Unix(), fallback, loc.String())
}

// HistoryMessage lists a person's recent answers, newest first. Only they see it.
func HistoryMessage(answers []db.Answer, cat *prompts.Catalogue, loc *time.Location) Message {
	if len(answers) == 0 {
		text := "You haven't answered any prompts yet. `/reflect prompt` sends you one now."
		return Message{Text: text, Blocks: []slack.Block{section("history_empty", text)}}
	}
	blocks := []slack.Block{section("history_head", fmt.Sprintf("*Your last %d answers*", len(answers)))}
	for i, a := range answers {
		question := a.PromptID
		answer := a.Text
		if p, ok := cat.Prompt(a.PromptID); ok {
			question = p.Text
			if a.OptionIndex != nil && *a.OptionIndex < len(p.Options) {
				answer = p.Options[*a.OptionIndex].Label
			}
		}
		line := fmt.Sprintf("*%s* · %s\n%s\n%s", a.AnsweredAt.In(loc).Format("Mon 2 Jan 2006"),
			escapeMrkdwn(truncate(question, 200)), quote(answer), escapeMrkdwn(a.Explanation))
		blocks = append(blocks, section(fmt.Sprintf("history_%d", i), line))
	}
	blocks = append(blocks, contextNote("history_note", "Only you can see this."))
	return Message{Text: fmt.Sprintf("Your last %d answers", len(answers)), Blocks: blocks}
}

// textMessage is a one-section reply.
func textMessage(blockID, text string) Message {
	return Message{Text: text, Blocks: []slack.Block{section(blockID, text)}}
}
