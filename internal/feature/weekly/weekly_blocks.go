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
	// The week's wellbeing check, asked in the prompt's message: a tap on an option and a tap on
	// another option of the answered check (d, p, o).
	actionCheck       = "check"
	actionCheckChange = "check_change"
	viewAnswerText    = "answer_text"
	textBlockID       = "answer"
	textActionID      = "text"
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

// ids name one question's blocks and buttons in a message. The week's prompt uses the plain
// names; its wellbeing check, asked in the same message, prefixes every block id and uses its own
// action ids, so that both questions fit in one message (block and action ids are unique in a
// message) and a tap says by its action id which half of the message to show answered. The
// button's value names the question answered either way (its prompt id).
type ids struct{ block, answer, change string }

var (
	promptIDs = ids{answer: actionAnswer, change: actionChange}
	checkIDs  = ids{block: "check_", answer: actionCheck, change: actionCheckChange}
)

// PromptMessage is the DM with one question: option buttons for scale and choice prompts, an
// Answer button (a modal) for text prompts, and for the week's main prompt "Skip this week" and
// "Remind me tomorrow". kind is db.KindPrompt, db.KindWellbeing (a check queued as a message of
// its own by an earlier version) or db.KindReminder. order is the order the options are shown in,
// as indices into p.Options (prompts.Catalogue.OptionOrder); nil shows them in catalogue order.
// Each button carries its option's index, never its place, so the answer recorded is the option
// tapped whatever the order.
func PromptMessage(kind db.Kind, deliveryID int64, p prompts.Prompt, order []int) slackapp.Message {
	return promptPart(kind, deliveryID, p, order, promptIDs)
}

// catalogueOrder returns order, or the catalogue's order when order does not fit p.
func catalogueOrder(p prompts.Prompt, order []int) []int {
	if len(order) == len(p.Options) {
		return order
	}
	order = make([]int, len(p.Options))
	for i := range order {
		order[i] = i
	}
	return order
}

func promptPart(kind db.Kind, deliveryID int64, p prompts.Prompt, order []int, id ids) slackapp.Message {
	intro := promptIntro(kind)
	blocks := []slackapp.Block{
		slackapp.Section(id.block+"prompt_intro", intro),
		slackapp.Section(id.block+"prompt_question", "*"+slackapp.EscapeMrkdwn(p.Text)+"*"),
	}
	var answers []slackapp.BlockElement
	if p.Kind == prompts.Text {
		answers = append(answers, slackapp.Button(actionAnswerText, "Answer", slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID}).
			WithStyle(slackapp.StylePrimary))
	} else {
		for _, i := range catalogueOrder(p, order) {
			answers = append(answers, slackapp.Button(fmt.Sprintf("%s:%d", id.answer, i), p.Options[i].Label,
				slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID, HasOption: true, Option: i}))
		}
	}
	blocks = append(blocks, slackapp.NewActionBlock(id.block+"prompt_answers", answers...))
	if kind != db.KindWellbeing {
		blocks = append(blocks, slackapp.NewActionBlock(id.block+"prompt_later",
			slackapp.Button(actionSkip, "Skip this week", slackapp.ActionValue{DeliveryID: deliveryID}),
			slackapp.Button(actionRemind, "Remind me tomorrow", slackapp.ActionValue{DeliveryID: deliveryID}),
		))
	}
	hint := "From the article's section “" + slackapp.EscapeMrkdwn(p.Section) + "”."
	if p.Kind == prompts.Text {
		hint += " You can also just reply here in the DM."
	}
	blocks = append(blocks, slackapp.ContextNote(id.block+"prompt_source", hint))
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(intro + " " + p.Text), Blocks: blocks}
}

// How a person can change an answer, said under it. Each is true of the message it ends: a tapped
// answer keeps its options, a typed reply can be edited or deleted, and a modal's answer cannot be
// reopened from the message, so it says nothing of the kind.
const (
	changeByTap  = "Tap another option to change your answer."
	changeByEdit = "Edit or delete your reply to change it."
	changeNone   = ""
)

func answeredPart(p prompts.Prompt, answer string, r prompts.Reading, change string, id ids) slackapp.Message {
	explain := slackapp.EscapeMrkdwn(r.Explain())
	note := "A tendency read from your own words and choices, not a diagnosis."
	if change != "" {
		note += " " + change
	}
	blocks := []slackapp.Block{
		slackapp.Section(id.block+"answered_question", slackapp.EscapeMrkdwn(p.Text)),
		slackapp.Section(id.block+"answered_answer", "✅ Recorded: "+slackapp.Quote(answer, maxQuote)+"\n"+explain),
		slackapp.ContextNote(id.block+"answered_note", note),
	}
	return slackapp.Message{Text: "Recorded. " + explain, Blocks: blocks}
}

// AnsweredOptionMessage replaces a one-tap prompt once an option is tapped: the answered message,
// with the options kept in the order the person saw them (order, as in PromptMessage) and the
// chosen one marked, so that tapping another replaces the answer and its reading. Its buttons are
// "change" actions, handled as a tap on the prompt, so an answered message carries no answer
// buttons and reads as answered wherever it is shown.
func AnsweredOptionMessage(deliveryID int64, p prompts.Prompt, order []int, chosen int, r prompts.Reading) slackapp.Message {
	return answeredOptionPart(deliveryID, p, order, chosen, r, promptIDs)
}

func answeredOptionPart(deliveryID int64, p prompts.Prompt, order []int, chosen int, r prompts.Reading, id ids) slackapp.Message {
	m := answeredPart(p, p.Options[chosen].Label, r, changeByTap, id)
	var options []slackapp.BlockElement
	for _, i := range catalogueOrder(p, order) {
		label := p.Options[i].Label
		if i == chosen {
			label = "✓ " + label
		}
		b := slackapp.Button(fmt.Sprintf("%s:%d", id.change, i), label,
			slackapp.ActionValue{DeliveryID: deliveryID, PromptID: p.ID, HasOption: true, Option: i})
		if i == chosen {
			b = b.WithStyle(slackapp.StylePrimary)
		}
		options = append(options, b)
	}
	// The options go between the answer and the note.
	last := len(m.Blocks) - 1
	m.Blocks = append(m.Blocks[:last:last], slackapp.NewActionBlock(id.block+"answered_options", options...), m.Blocks[last])
	return m
}

// strainedEnd is the reading of the wellbeing scale's strained end (−2 of ±2): an answer there,
// such as "Yes, seriously" to having thought of leaving, is followed by where to find support.
const strainedEnd = -1

// WithSupport adds the support note to an answered message, gently and apart from how the answer
// was read. An empty support text leaves the message as it is.
func WithSupport(m slackapp.Message, support string) slackapp.Message {
	return withSupport(m, support, promptIDs)
}

func withSupport(m slackapp.Message, support string, id ids) slackapp.Message {
	if strings.TrimSpace(support) == "" {
		return m
	}
	m.Blocks = append(m.Blocks, slackapp.Section(id.block+"answered_support", "💬 "+slackapp.EscapeMrkdwn(support)))
	m.Text += "\n" + slackapp.EscapeMrkdwn(support)
	return m
}

// Question is one question of a delivery's message and where it stands.
type Question struct {
	Prompt prompts.Prompt
	Order  []int  // the options in the order the person sees them (as in PromptMessage)
	Answer *Shown // nil: not answered yet
}

// Shown is a recorded answer as its message shows it.
type Shown struct {
	Text    string // the option's label, or the person's words
	Option  int    // the option tapped, whose buttons stay to change it; -1 for a typed or written answer
	Reading prompts.Reading
	Change  string // how to change it: changeByTap, changeByEdit or changeNone
}

// Delivery is what a delivery's message shows: the week's prompt (open, answered or skipped) and,
// when the delivery has one, its wellbeing check (open or answered), each answerable on its own.
type Delivery struct {
	ID      int64
	Prompt  Question
	Skipped bool      // "Skip this week" was tapped
	Check   *Question // nil: no wellbeing check
	// Support is where to find support, shown under an answer at the strained end of the
	// wellbeing scale.
	Support string
}

// DeliveryMessage is a delivery's one message: the prompt, then its wellbeing check, so a
// scheduled occurrence is one post per person. Each half shows its own state: an answer to the
// check leaves the prompt answerable, and the other way round. The check's blocks and buttons
// have ids of their own (checkIDs).
func DeliveryMessage(d Delivery) slackapp.Message {
	m := questionPart(db.KindPrompt, d.ID, d.Prompt, d.Support, promptIDs)
	if d.Skipped {
		m = SkippedMessage(d.Prompt.Prompt)
	}
	if d.Check == nil || d.Check.Prompt.Kind == prompts.Text {
		return m // the catalogue only picks one-tap checks
	}
	check := questionPart(db.KindWellbeing, d.ID, *d.Check, d.Support, checkIDs)
	m.Blocks = append(append(m.Blocks, slackapp.Divider(checkIDs.block+"divider")), check.Blocks...)
	m.Text += "\n" + check.Text
	return m
}

// questionPart is one question's blocks: open, or answered as recorded.
func questionPart(kind db.Kind, deliveryID int64, q Question, support string, id ids) slackapp.Message {
	a := q.Answer
	switch {
	case a == nil:
		return promptPart(kind, deliveryID, q.Prompt, q.Order, id)
	case a.Option >= 0 && a.Option < len(q.Prompt.Options):
		m := answeredOptionPart(deliveryID, q.Prompt, q.Order, a.Option, a.Reading, id)
		if a.Reading.Wellbeing != nil && *a.Reading.Wellbeing <= strainedEnd {
			m = withSupport(m, support, id)
		}
		return m
	default:
		return answeredPart(q.Prompt, a.Text, a.Reading, a.Change, id)
	}
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
			slackapp.EscapeMrkdwn(slackapp.Truncate(question, 200)), slackapp.Quote(answer, maxQuote), slackapp.EscapeMrkdwn(a.Explanation))
		blocks = append(blocks, slackapp.Section(fmt.Sprintf("history_%d", i), line))
	}
	blocks = append(blocks, slackapp.ContextNote("history_note", "Only you can see this."))
	return slackapp.Message{Text: fmt.Sprintf("Your last %d answers", len(answers)), Blocks: blocks}
}
