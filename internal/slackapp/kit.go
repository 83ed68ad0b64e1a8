package slackapp

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"
)

// Block Kit for feature packages, so that this package stays the only importer of slack-go: the
// types are slack-go's (aliases), the constructors are slack-go's or small helpers that apply
// Slack's limits. https://docs.slack.dev/block-kit

// Block Kit types.
type (
	Block                    = slack.Block
	BlockElement             = slack.BlockElement
	TextBlockObject          = slack.TextBlockObject
	SectionBlock             = slack.SectionBlock
	ContextBlock             = slack.ContextBlock
	ActionBlock              = slack.ActionBlock
	DividerBlock             = slack.DividerBlock
	InputBlock               = slack.InputBlock
	ButtonBlockElement       = slack.ButtonBlockElement
	OptionBlockObject        = slack.OptionBlockObject
	SlackFileObject          = slack.SlackFileObject
	RadioButtonsBlockElement = slack.RadioButtonsBlockElement
)

// Button styles and the static select's option type.
const (
	StylePrimary  = slack.StylePrimary
	StyleDanger   = slack.StyleDanger
	OptTypeStatic = slack.OptTypeStatic
)

// Block Kit constructors, as slack-go has them.
var (
	NewActionBlock                = slack.NewActionBlock
	NewInputBlock                 = slack.NewInputBlock
	NewHeaderBlock                = slack.NewHeaderBlock
	HeaderBlockOptionBlockID      = slack.HeaderBlockOptionBlockID
	NewOptionBlockObject          = slack.NewOptionBlockObject
	NewTimePickerBlockElement     = slack.NewTimePickerBlockElement
	NewRadioButtonsBlockElement   = slack.NewRadioButtonsBlockElement
	NewPlainTextInputBlockElement = slack.NewPlainTextInputBlockElement
	NewOptionsSelectBlockElement  = slack.NewOptionsSelectBlockElement
	NewImageBlockSlackFile        = slack.NewImageBlockSlackFile
	NewConfirmationBlockObject    = slack.NewConfirmationBlockObject
	NewButtonBlockElement         = slack.NewButtonBlockElement
)

// Divider is a divider block (a rule between two parts of a message) with its block id.
// https://docs.slack.dev/reference/block-kit/blocks/divider-block
func Divider(blockID string) *slack.DividerBlock {
	return &slack.DividerBlock{Type: slack.MBTDivider, BlockID: blockID}
}

// MaxButtonText is the longest button (and option) text Slack takes.
// https://docs.slack.dev/reference/block-kit/block-elements/button-element
const MaxButtonText = 75

// Button is a button whose value carries v, its label cut to Slack's limit.
func Button(actionID, label string, v ActionValue) *slack.ButtonBlockElement {
	value, err := EncodeActionValue(v)
	if err != nil {
		// Values are built from catalogue ids and delivery ids, which always encode.
		panic(fmt.Sprintf("slackapp: encode action value: %v", err))
	}
	return slack.NewButtonBlockElement(actionID, value, PlainText(Truncate(label, MaxButtonText)))
}

// TextMessage is a one-section reply.
func TextMessage(blockID, text string) Message {
	return Message{Text: text, Blocks: []slack.Block{Section(blockID, text)}}
}

// DateText writes an occurrence for the person, as mrkdwn. Slack shows a <!date> token in the
// reader's own time zone and their 12- or 24-hour clock setting; its fallback, for clients and
// notifications that cannot, is the same moment in the person's zone, 24-hour. The zone is named
// either way: "Monday 30 November at 09:00 (Europe/London)".
// https://docs.slack.dev/messaging/formatting-message-text#date-formatting
func DateText(t time.Time, loc *time.Location) string {
	fallback := t.In(loc).Format("Monday 2 January at 15:04")
	return fmt.Sprintf("<!date^%d^{date_long_pretty} at {time}|%s> (%s)", t.Unix(), fallback, loc.String())
}
