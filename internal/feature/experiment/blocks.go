package experiment

import (
	"fmt"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Action ids and the note modal's callback id.
const (
	actionTry     = "experiment_try"     // commit: p = experiment, a = month
	actionAnother = "experiment_another" // another for the same need: p = the one shown, a = month
	actionNotNow  = "experiment_not_now" // records nothing: p, a
	// actionOutcome prefixes the outcome buttons, "experiment_outcome:well" and so on: a = month,
	// d = the weekly prompt whose message asked (0 elsewhere).
	actionOutcome = "experiment_outcome"
	actionNote    = "experiment_note" // opens the note modal: a = month
	viewNote      = "experiment_note"
	noteBlock     = "note"
	noteAction    = "note"
)

// maxNote is the longest note kept, the plain-text input's limit.
// https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
const maxNote = 3000

// maxQuote is how much of a person's words a summary or a confirmation shows back.
const maxQuote = 200

// outcomes are the one-tap answers to "how is it going", in the order shown.
var outcomes = []struct{ key, label string }{
	{db.OutcomeWell, "It went well"},
	{db.OutcomeMixed, "Mixed"},
	{db.OutcomeNotYet, "Not yet"},
	{db.OutcomeDropped, "Drop it"},
}

// said is how a summary or a message reports an outcome: "you said it went well".
func said(outcome string) string {
	switch outcome {
	case db.OutcomeWell:
		return "you said it went well"
	case db.OutcomeMixed:
		return "you said it was mixed"
	case db.OutcomeNotYet:
		return "you said you hadn't got to it yet"
	case db.OutcomeDropped:
		return "you dropped it"
	default:
		return "you didn't say how it went"
	}
}

// monthName is a month as "2026-04" written for a person, "April 2026"; a value that is not a
// month is shown as it is.
func monthName(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.Format("January 2006")
}

// itemText is an experiment as a section shows it: its title in bold, then what to do.
func itemText(e Item) string {
	return "*" + slackapp.EscapeMrkdwn(e.Title) + "*\n" + slackapp.EscapeMrkdwn(e.Text)
}

// Offer is an experiment offered for month, with I'll try this, Suggest another and Not now.
// prefix keeps its block ids apart from the rest of the message it is in.
func Offer(prefix string, e Item, month string) []slackapp.Block {
	v := slackapp.ActionValue{PromptID: e.ID, Arg: month}
	return []slackapp.Block{
		slackapp.Section(prefix+"offer", "*An experiment for "+monthName(month)+"*\n"+itemText(e)),
		slackapp.ContextNote(prefix+"offer_aim", "Aimed at "+slackapp.EscapeMrkdwn(Aim(e.Need))+
			". Small on purpose: one month, and you say how it went."),
		slackapp.NewActionBlock(prefix+"offer_actions",
			slackapp.Button(actionTry, "I'll try this", v).WithStyle(slackapp.StylePrimary),
			slackapp.Button(actionAnother, "Suggest another", v),
			slackapp.Button(actionNotNow, "Not now", v),
		),
	}
}

// Why says what in the summary led to its experiment: the reading behind the need and, when one
// answer prompted it, that answer.
func Why(s report.Summary) string {
	why := "*Why this one:* " + slackapp.EscapeMrkdwn(s.NeedReason())
	if s.SuggestionQuote != "" {
		why += "\nPrompted by your answer: " + slackapp.Quote(s.SuggestionQuote, maxQuote)
	}
	return why
}

// Suggested is the experiment a summary of a month long over suggested for the month after it:
// no buttons, since that month is over too.
func Suggested(prefix string, e Item, month string) []slackapp.Block {
	return []slackapp.Block{
		slackapp.Section(prefix+"offer", "*The experiment it suggested for "+monthName(month)+"*\n"+itemText(e)),
		slackapp.ContextNote(prefix+"offer_aim", "Aimed at "+slackapp.EscapeMrkdwn(Aim(e.Need))+
			". That month is over, so there is nothing to commit to; your next summary offers one for the month ahead."),
	}
}

// OfferMessage is Offer as a message of its own (the reply to Suggest another).
func OfferMessage(e Item, month string) slackapp.Message {
	return slackapp.Message{Text: "Another experiment for " + monthName(month) + ": " + slackapp.EscapeMrkdwn(e.Title),
		Blocks: Offer("", e, month)}
}

// CommittedMessage confirms a commitment.
func CommittedMessage(e Item, month, command string) slackapp.Message {
	text := fmt.Sprintf("You're on: *%s* for %s. `%s experiment` shows it and takes how it's going; "+
		"about two weeks in, your weekly prompt will ask too.", slackapp.EscapeMrkdwn(e.Title), monthName(month), command)
	return slackapp.TextMessage("experiment_committed", text)
}

// NotNowMessage answers Not now: nothing is recorded.
func NotNowMessage() slackapp.Message {
	return slackapp.TextMessage("experiment_not_now",
		"No experiment this month, and nothing recorded. Next month's summary will offer another.")
}

// outcomeButtons are the one-tap outcomes for month, the chosen one marked; deliveryID is the
// weekly prompt whose message holds them (0 elsewhere).
func outcomeButtons(blockID, month, chosen string, deliveryID int64) *slackapp.ActionBlock {
	var bs []slackapp.BlockElement
	for _, o := range outcomes {
		label := o.label
		if o.key == chosen {
			label = "✓ " + label
		}
		b := slackapp.Button(actionOutcome+":"+o.key, label, slackapp.ActionValue{DeliveryID: deliveryID, Arg: month})
		if o.key == chosen {
			b = b.WithStyle(slackapp.StylePrimary)
		}
		bs = append(bs, b)
	}
	return slackapp.NewActionBlock(blockID, bs...)
}

// status is where an experiment stands, as a line: how the person said it's going and their note.
func status(ex db.Experiment) string {
	if ex.Outcome == "" {
		return "You haven't said how it's going yet."
	}
	line := strings.ToUpper(said(ex.Outcome)[:1]) + said(ex.Outcome)[1:]
	if ex.Note != "" {
		line += ": " + slackapp.Quote(ex.Note, maxQuote)
	}
	return line + "."
}

// CurrentMessage is the reply to /reflect experiment: the experiment on the go with one-tap
// progress and a note, or how to get one.
func CurrentMessage(ex *db.Experiment, e Item) slackapp.Message {
	if ex == nil {
		text := "You have no experiment on the go. Your monthly summary offers one, small and concrete, with *I'll try this*."
		return slackapp.TextMessage("experiment_none", text)
	}
	head := "*Your experiment for " + monthName(ex.Month) + "*\n" + itemText(e)
	return slackapp.Message{
		Text: "Your experiment for " + monthName(ex.Month) + ": " + slackapp.EscapeMrkdwn(e.Title),
		Blocks: []slackapp.Block{
			slackapp.Section("experiment_current", head),
			slackapp.Section("experiment_status", "*How is it going?* "+status(*ex)),
			outcomeButtons("experiment_outcomes", ex.Month, ex.Outcome, 0),
			slackapp.NewActionBlock("experiment_more",
				slackapp.Button(actionNote, "Add a note", slackapp.ActionValue{Arg: ex.Month})),
			slackapp.ContextNote("experiment_private", "Only you see your experiment and your note. Drop it any time."),
		},
	}
}

// DroppedMessage answers Drop it.
func DroppedMessage(e Item) slackapp.Message {
	return slackapp.TextMessage("experiment_dropped", "Dropped *"+slackapp.EscapeMrkdwn(e.Title)+
		"*: no experiment on the go now. Next month's summary will offer another.")
}

// FollowUp is the check-in added to a weekly prompt's message about two weeks into an
// experiment, answered in place: it asks (saying what the person said elsewhere, if anything)
// until answered in this message, then shows the answer with the options kept to change it.
func FollowUp(ex db.Experiment, e Item, deliveryID int64) []slackapp.Block {
	head := "*Your experiment: " + slackapp.EscapeMrkdwn(e.Title) + "*\n"
	text, chosen := head+"About two weeks in: how is it going?", ""
	switch {
	case ex.Outcome != "" && ex.OutcomeDelivery == deliveryID:
		text, chosen = head+status(ex)+" Tap another to change it.", ex.Outcome
	case ex.Outcome != "":
		text += " Last time " + said(ex.Outcome) + "."
	}
	return []slackapp.Block{
		slackapp.Section("experiment_followup", text),
		outcomeButtons("experiment_followup_outcomes", ex.Month, chosen, deliveryID),
	}
}

// HomeBlocks is the experiment on the App Home, or a line saying how to get one.
func HomeBlocks(ex *db.Experiment, e Item, command string) []slackapp.Block {
	if ex == nil {
		return []slackapp.Block{slackapp.Section("home_experiment",
			"*Your experiment:* none on the go. Your monthly summary offers one.")}
	}
	return []slackapp.Block{
		slackapp.Section("home_experiment", "*Your experiment for "+monthName(ex.Month)+"*\n"+itemText(e)+"\n"+status(*ex)),
		slackapp.ContextNote("home_experiment_how", fmt.Sprintf("`%s experiment` to say how it's going or drop it.", command)),
	}
}

// Report is the summary's line on the experiment of its month: what it was, how the person said
// it went (in their words, if they left a note) and how what it aimed at moved.
func Report(ex db.Experiment, e Item, moved string) string {
	line := "*Your experiment in " + monthName(ex.Month) + ":* " + slackapp.EscapeMrkdwn(e.Title) + " — " + said(ex.Outcome)
	if ex.Note != "" && ex.Outcome != "" {
		line += ": " + slackapp.Quote(ex.Note, maxQuote)
	} else if ex.Note != "" {
		line += "; your note: " + slackapp.Quote(ex.Note, maxQuote)
	}
	line += "."
	if moved != "" {
		line += "\n" + slackapp.EscapeMrkdwn(moved)
	}
	return line
}

// NoteModal takes an optional note on the experiment for month, showing the one kept.
func NoteModal(month, current string) slackapp.View {
	input := slackapp.NewPlainTextInputBlockElement(slackapp.PlainText("What happened, what you noticed"), noteAction)
	input.Multiline = true
	input.MaxLength = maxNote
	input.InitialValue = current
	block := slackapp.NewInputBlock(noteBlock, slackapp.PlainText("Your note"), nil, input)
	block.Optional = true
	return slackapp.View{
		CallbackID: viewNote, Title: "Your experiment", Submit: "Save", Close: "Cancel", PrivateMetadata: month,
		Blocks: []slackapp.Block{
			slackapp.Section("note_intro", "A few words on how "+monthName(month)+"'s experiment is going. Leave it empty to remove your note."),
			block,
			slackapp.ContextNote("note_private", "Only you see it; next month's summary quotes it back to you."),
		},
	}
}
