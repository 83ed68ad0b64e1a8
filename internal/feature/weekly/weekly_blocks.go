package weekly

import (
	"fmt"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
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
	// https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element: ≤ 3000.
	maxAnswerLength = 3000
	// A quoted answer in a confirmation is cut to keep the message short.
	maxQuote = 280
)

// continuePauseWeeks is how long "Pause for a while" pauses after four unanswered prompts.
const continuePauseWeeks = 4

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
func PromptMessage(kind db.Kind, deliveryID int64, p prompts.Prompt, order []int) slackapp.Message {
	intro := promptIntro(kind)
	blocks := []slackapp.Block{
		slackapp.Section("prompt_intro", intro),
		slackapp.Section("prompt_question", "*"+slackapp.EscapeMrkdwn(p.Text)+"*"),
	}
	var answers []slackapp.BlockElement
	if p.Kind == prompts.Text {
		answers = append(answers, slackapp.Button(actionAnswerText, "Answer", slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID}).
			WithStyle(slackapp.StylePrimary))
	} else {
		if len(order) != len(p.Options) {
			order = make([]int, len(p.Options))
			for i := range order {
				order[i] = i
			}
		}
		for _, i := range order {
			answers = append(answers, slackapp.Button(fmt.Sprintf("%s:%d", actionAnswer, i), p.Options[i].Label,
				slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID, HasOption: true, Option: i}))
		}
	}
	blocks = append(blocks, slackapp.NewActionBlock("prompt_answers", answers...))
	if kind != db.KindWellbeing {
		blocks = append(blocks, slackapp.NewActionBlock("prompt_later",
			slackapp.Button(actionSkip, "Skip this week", slackapp.ActionValue{DeliveryID: deliveryID}),
			slackapp.Button(actionRemind, "Remind me tomorrow", slackapp.ActionValue{DeliveryID: deliveryID}),
		))
	}
	hint := "From the article's section “" + slackapp.EscapeMrkdwn(p.Section) + "”."
	if p.Kind == prompts.Text {
		hint += " You can also just reply here in the DM."
	}
	blocks = append(blocks, slackapp.ContextNote("prompt_source", hint))
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(intro + " " + p.Text), Blocks: blocks}
}

// quote shows a person's answer back to them, shortened and escaped.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return "“" + slackapp.EscapeMrkdwn(slackapp.Truncate(s, maxQuote)) + "”"
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
func AnsweredMessage(p prompts.Prompt, answer string, r prompts.Reading, change string) slackapp.Message {
	explain := slackapp.EscapeMrkdwn(r.Explain())
	note := "A tendency read from your own words and choices, not a diagnosis."
	if change != "" {
		note += " " + change
	}
	blocks := []slackapp.Block{
		slackapp.Section("answered_question", slackapp.EscapeMrkdwn(p.Text)),
		slackapp.Section("answered_answer", "✅ Recorded: "+quote(answer)+"\n"+explain),
		slackapp.ContextNote("answered_note", note),
	}
	return slackapp.Message{Text: "Recorded. " + explain, Blocks: blocks}
}

// AnsweredOptionMessage replaces a one-tap prompt once an option is tapped: the answered message,
// with the options kept in the order the person saw them (order, as in PromptMessage) and the
// chosen one marked, so that tapping another replaces the answer and its reading. Its buttons are
// "change" actions, handled as a tap on the prompt, so an answered message carries no answer
// buttons and reads as answered wherever it is shown.
func AnsweredOptionMessage(deliveryID int64, p prompts.Prompt, order []int, chosen int, r prompts.Reading) slackapp.Message {
	m := AnsweredMessage(p, p.Options[chosen].Label, r, changeByTap)
	if len(order) != len(p.Options) {
		order = make([]int, len(p.Options))
		for i := range order {
			order[i] = i
		}
	}
	var options []slackapp.BlockElement
	for _, i := range order {
		label := p.Options[i].Label
		if i == chosen {
			label = "✓ " + label
		}
		b := slackapp.Button(fmt.Sprintf("%s:%d", actionChange, i), label,
			slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID, HasOption: true, Option: i})
		if i == chosen {
			b = b.WithStyle(slackapp.StylePrimary)
		}
		options = append(options, b)
	}
	// The options go between the answer and the note.
	last := len(m.Blocks) - 1
	m.Blocks = append(m.Blocks[:last:last], slackapp.NewActionBlock("answered_options", options...), m.Blocks[last])
	return m
}

// strainedEnd is the reading of the wellbeing scale's strained end (−2 of ±2): an answer there,
// such as "Yes, seriously" to having thought of leaving, is followed by where to find support.
const strainedEnd = -1

// WithSupport adds the support note to an answered message, gently and apart from how the answer
// was read. An empty support text leaves the message as it is.
func WithSupport(m slackapp.Message, support string) slackapp.Message {
	if strings.TrimSpace(support) == "" {
		return m
	}
	m.Blocks = append(m.Blocks, slackapp.Section("answered_support", "💬 "+slackapp.EscapeMrkdwn(support)))
	m.Text += "\n" + slackapp.EscapeMrkdwn(support)
	return m
}

// SkippedMessage replaces a prompt the person skipped.
func SkippedMessage(p prompts.Prompt) slackapp.Message {
	text := "Skipped this week — no problem. See you at the next one."
	return slackapp.Message{Text: text, Blocks: []slackapp.Block{
		slackapp.Section("skipped_question", "~"+slackapp.EscapeMrkdwn(p.Text)+"~"),
		slackapp.Section("skipped", text),
	}}
}

// ContinueMessage asks, once, whether to pause or carry on after four unanswered prompts.
func ContinueMessage() slackapp.Message {
	text := "You haven't answered the last four prompts, so I've stopped sending them for now. " +
		"Would you like a break, or shall I carry on?"
	return slackapp.Message{Text: text, Blocks: []slackapp.Block{
		slackapp.Section("continue_question", text),
		slackapp.NewActionBlock("continue_choices",
			slackapp.Button(actionContinue+":pause", fmt.Sprintf("Pause for %d weeks", continuePauseWeeks), slackapp.ActionValue{Arg: "pause"}),
			slackapp.Button(actionContinue+":carry", "Carry on", slackapp.ActionValue{Arg: "carry"}).WithStyle(slackapp.StylePrimary),
			slackapp.Button(actionContinue+":stop", "Stop the prompts", slackapp.ActionValue{Arg: "stop"}),
		),
	}}
}

// ContinueAnsweredMessage replaces the question once answered.
func ContinueAnsweredMessage(choice string) slackapp.Message {
	return slackapp.Message{Text: choice, Blocks: []slackapp.Block{slackapp.Section("continue_done", choice)}}
}

// AnswerModal is the modal a text prompt's Answer button opens.
func AnswerModal(deliveryID int64, p prompts.Prompt) slackapp.View {
	meta, _ := slackapp.EncodeActionValue(slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID})
	input := slackapp.NewPlainTextInputBlockElement(slackapp.PlainText("A few words or a few lines"), textActionID)
	input.Multiline = true
	input.MaxLength = maxAnswerLength
	return slackapp.View{
		CallbackID:      viewAnswerText,
		Title:           "Your reflection",
		Submit:          "Save",
		Close:           "Cancel",
		PrivateMetadata: meta,
		Blocks: []slackapp.Block{
			slackapp.Section("modal_question", "*"+slackapp.EscapeMrkdwn(p.Text)+"*"),
			slackapp.NewInputBlock(textBlockID, slackapp.PlainText("Your answer"), nil, input),
			slackapp.ContextNote("modal_note", "Only you see your answers. Reflect reads them for words that lean toward leadership or management."),
		},
	}
}

// HistoryMessage lists a person's recent answers, newest first. Only they see it.
func HistoryMessage(answers []db.Answer, cat *prompts.Catalogue, loc *time.Location) slackapp.Message {
	if len(answers) == 0 {
		text := "You haven't answered any prompts yet. `/reflect prompt` sends you one now."
		return slackapp.Message{Text: text, Blocks: []slackapp.Block{slackapp.Section("history_empty", text)}}
	}
	blocks := []slackapp.Block{slackapp.Section("history_head", fmt.Sprintf("*Your last %d answers*", len(answers)))}
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
			slackapp.EscapeMrkdwn(slackapp.Truncate(question, 200)), quote(answer), slackapp.EscapeMrkdwn(a.Explanation))
		blocks = append(blocks, slackapp.Section(fmt.Sprintf("history_%d", i), line))
	}
	blocks = append(blocks, slackapp.ContextNote("history_note", "Only you can see this."))
	return slackapp.Message{Text: fmt.Sprintf("Your last %d answers", len(answers)), Blocks: blocks}
}
