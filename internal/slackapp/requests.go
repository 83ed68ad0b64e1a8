package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// replyFunc answers the person behind a request privately.
type replyFunc func(ctx context.Context, m Message) error

func (f replyFunc) reply(ctx context.Context, m Message) error {
	if f == nil {
		return errors.New("slackapp: reply: this request has no way to answer")
	}
	return f(ctx, m)
}

// CommandRequest is one slash command, or a command word typed in a DM.
type CommandRequest struct {
	UserID    string
	ChannelID string
	TeamID    string
	TriggerID string // opens a modal within 3 s of the command; empty for a DM word
	Command   Command
	FromDM    bool // typed as a DM word rather than the slash command
	reply     replyFunc
	app       *App // for Refuse
}

// Reply answers the caller privately: an ephemeral response for a slash command, a DM for a DM word.
func (r CommandRequest) Reply(ctx context.Context, m Message) error { return r.reply.reply(ctx, m) }

// Refuse answers a command whose arguments are wrong: problem, written for the person and never
// quoting what they typed, with the usage of this verb (the app's Unreadable fallback).
func (r CommandRequest) Refuse(ctx context.Context, problem string) error {
	if r.app == nil {
		return r.Reply(ctx, Message{Text: problem})
	}
	return r.app.refuse(ctx, r, &CommandError{Problem: problem, Verb: r.Command.Verb})
}

// CommandHandler handles one verb of the slash command.
type CommandHandler func(ctx context.Context, req CommandRequest) error

// DM is a new message a person typed in their DM with the bot.
type DM struct {
	EventID   string
	UserID    string
	ChannelID string
	TS        string
	Text      string // what the person wrote: never log it
	reply     replyFunc
}

// Reply answers in the DM (through the outbox).
func (d DM) Reply(ctx context.Context, m Message) error { return d.reply.reply(ctx, m) }

// DMHandler looks at a DM and reports whether it dealt with it (for example, it was the answer to
// an open prompt). A DM nobody handles gets the command words or a short help.
type DMHandler func(ctx context.Context, dm DM) (handled bool, err error)

// Event is one Events API event, reduced to the fields the app uses. For message_changed UserID,
// TS and Text are those of the edited message; for message_deleted, TS is the deleted message's.
type Event struct {
	ID           string // event_id, the deduplication key
	TeamID       string
	Type         string // the inner event's type: message, app_home_opened, user_change, …
	Subtype      string
	UserID       string
	ChannelID    string
	ChannelType  string
	TS           string
	Text         string // message text: never log it
	BotID        string
	Tab          string // app_home_opened: "home" or "messages"
	UserDeleted  bool   // user_change: the account was deactivated
	UserIsBot    bool   // user_change: the account is a bot
	RetryAttempt int    // > 0 when Slack is redelivering
	Raw          json.RawMessage
}

// EventHandler handles one type of event.
type EventHandler func(ctx context.Context, ev Event) error

// ActionRequest is one click on a Block Kit element (block_actions).
type ActionRequest struct {
	UserID    string
	ChannelID string
	TeamID    string
	TriggerID string // opens a modal within 3 s of the click
	ActionID  string
	BlockID   string
	Value     string // the element's value (a button's value or the selected option's value)
	MessageTS string // the message holding the element, if it is in a message
	ViewID    string // the view holding the element, if it is in a modal or the App Home
	reply     replyFunc
}

// Reply answers the person privately: ephemeral in the conversation of the click, or a DM for a
// click in a view.
func (r ActionRequest) Reply(ctx context.Context, m Message) error { return r.reply.reply(ctx, m) }

// ParsedValue reads Value as an ActionValue.
func (r ActionRequest) ParsedValue() (ActionValue, error) { return ParseActionValue(r.Value) }

// ActionHandler handles clicks on elements whose action_id starts with its prefix.
type ActionHandler func(ctx context.Context, req ActionRequest) error

// ViewRequest is a submitted modal (view_submission).
type ViewRequest struct {
	UserID          string
	TeamID          string
	ViewID          string
	CallbackID      string
	PrivateMetadata string
	Hash            string
	// Values holds the inputs: block_id → action_id → the typed text or the chosen option's value.
	Values map[string]map[string]string
	reply  replyFunc
}

// Reply answers the person by DM (a closed modal has nowhere else to answer).
func (r ViewRequest) Reply(ctx context.Context, m Message) error { return r.reply.reply(ctx, m) }

// ViewHandler handles submissions of modals with its callback_id.
type ViewHandler func(ctx context.Context, req ViewRequest) error

// eventCallback is the outer Events API payload.
// https://docs.slack.dev/apis/events-api/#callback-field
type eventCallback struct {
	Type    string          `json:"type"`
	TeamID  string          `json:"team_id"`
	EventID string          `json:"event_id"`
	Event   json.RawMessage `json:"event"`
}

// innerMessage is the message nested in message_changed / message_deleted events.
type innerMessage struct {
	User    string `json:"user"`
	BotID   string `json:"bot_id"`
	Subtype string `json:"subtype"`
	TS      string `json:"ts"`
	Text    string `json:"text"`
}

type innerEvent struct {
	Type            string          `json:"type"`
	Subtype         string          `json:"subtype"`
	User            json.RawMessage `json:"user"` // an id, or an object for user_change
	Channel         json.RawMessage `json:"channel"`
	ChannelType     string          `json:"channel_type"`
	BotID           string          `json:"bot_id"`
	TS              string          `json:"ts"`
	Text            string          `json:"text"`
	Tab             string          `json:"tab"`
	DeletedTS       string          `json:"deleted_ts"`
	Message         *innerMessage   `json:"message"`
	PreviousMessage *innerMessage   `json:"previous_message"`
}

type userObject struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
	IsBot   bool   `json:"is_bot"`
}

// errNotCallback is returned for Events API payloads that carry no event (app_rate_limited).
var errNotCallback = errors.New("slackapp: parse event: not an event_callback")

// parseEventPayload reads an events_api envelope's payload. It decodes the inner event itself
// rather than through slackevents, so an event type slack-go does not know is still routed.
func parseEventPayload(payload []byte) (Event, error) {
	var cb eventCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return Event{}, fmt.Errorf("slackapp: parse event: %w", err)
	}
	if cb.Type != "event_callback" {
		return Event{Type: cb.Type}, errNotCallback
	}
	if cb.EventID == "" {
		return Event{}, errors.New("slackapp: parse event: no event_id")
	}
	var in innerEvent
	if len(cb.Event) == 0 {
		return Event{}, errors.New("slackapp: parse event: no event")
	}
	if err := json.Unmarshal(cb.Event, &in); err != nil {
		return Event{}, fmt.Errorf("slackapp: parse event: %w", err)
	}
	if in.Type == "" {
		return Event{}, errors.New("slackapp: parse event: event has no type")
	}
	ev := Event{
		ID:          cb.EventID,
		TeamID:      cb.TeamID,
		Type:        in.Type,
		Subtype:     in.Subtype,
		ChannelType: in.ChannelType,
		BotID:       in.BotID,
		TS:          in.TS,
		Text:        in.Text,
		Tab:         in.Tab,
		Raw:         cb.Event,
	}
	ev.ChannelID = idOrObjectID(in.Channel)
	if u, ok := userField(in.User); ok {
		ev.UserID, ev.UserDeleted, ev.UserIsBot = u.ID, u.Deleted, u.IsBot
	}
	switch in.Subtype {
	case "message_changed":
		if m := in.Message; m != nil {
			ev.UserID, ev.TS, ev.Text = m.User, m.TS, m.Text
			if m.BotID != "" {
				ev.BotID = m.BotID
			}
		}
	case "message_deleted":
		ev.TS, ev.Text = in.DeletedTS, ""
		if m := in.PreviousMessage; m != nil {
			ev.UserID = m.User
			if m.BotID != "" {
				ev.BotID = m.BotID
			}
		}
	}
	return ev, nil
}

// userField reads "user", which is an id in most events and a user object in user_change.
func userField(raw json.RawMessage) (userObject, bool) {
	if len(raw) == 0 {
		return userObject{}, false
	}
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return userObject{ID: id}, id != ""
	}
	var u userObject
	if json.Unmarshal(raw, &u) == nil {
		return u, u.ID != ""
	}
	return userObject{}, false
}

// idOrObjectID reads a field that is an id in most events and an object with an id in some
// (channel_created, channel_rename).
func idOrObjectID(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.ID
	}
	return ""
}

// Route keys name what a request is for, in logs and in the routing table.
const (
	routeDM = "dm"
)

// eventRoute is where an event goes; "" means it is ignored. Only messages in the bot's DMs
// matter: new ones are DMs, edits and deletions update stored answers.
func eventRoute(ev Event) string {
	if ev.Type != "message" {
		return "event:" + ev.Type
	}
	if ev.ChannelType != "im" {
		return ""
	}
	switch ev.Subtype {
	case "", "file_share", "thread_broadcast":
		return routeDM
	case "message_changed", "message_deleted":
		return "event:" + ev.Subtype
	default:
		return ""
	}
}

// isFromBot reports whether a message event was written by a bot, including this one: Slack
// delivers the bot's own DM posts back to it as message.im events.
func isFromBot(ev Event, botUserID string) bool {
	if ev.Type != "message" {
		return false
	}
	return ev.BotID != "" || ev.Subtype == "bot_message" || (ev.UserID != "" && ev.UserID == botUserID)
}

// interactionRoute is where an interaction goes; "" means it is ignored. block_actions go by the
// first action's action_id, view_submission by the view's callback_id.
func interactionRoute(cb *slack.InteractionCallback) string {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 || cb.ActionCallback.BlockActions[0] == nil {
			return ""
		}
		id := cb.ActionCallback.BlockActions[0].ActionID
		if id == "" {
			return ""
		}
		return "action:" + id
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == "" {
			return ""
		}
		return "view:" + cb.View.CallbackID
	default:
		return ""
	}
}

// actionPrefix is the part of an action_id handlers register under: up to the first ':' (so
// "answer:3" and "answer" both go to "answer").
func actionPrefix(actionID string) string {
	prefix, _, _ := strings.Cut(actionID, ":")
	return prefix
}

// viewValues flattens a submitted view's state to block_id → action_id → value.
func viewValues(state *slack.ViewState) map[string]map[string]string {
	out := map[string]map[string]string{}
	if state == nil {
		return out
	}
	for blockID, actions := range state.Values {
		m := map[string]string{}
		for actionID, a := range actions {
			m[actionID] = actionStateValue(a)
		}
		out[blockID] = m
	}
	return out
}

// actionStateValue is the one value an input holds.
func actionStateValue(a slack.BlockAction) string {
	switch {
	case a.Value != "":
		return a.Value
	case a.SelectedOption.Value != "":
		return a.SelectedOption.Value
	case a.SelectedDate != "":
		return a.SelectedDate
	case a.SelectedTime != "":
		return a.SelectedTime
	case a.SelectedUser != "":
		return a.SelectedUser
	case a.SelectedConversation != "":
		return a.SelectedConversation
	case a.SelectedChannel != "":
		return a.SelectedChannel
	}
	return ""
}

// WithReply returns r answering through reply instead: for a caller that runs an action handler
// itself (ActionHandlerFor), such as a test of a forged click.
func (r ActionRequest) WithReply(reply func(ctx context.Context, m Message) error) ActionRequest {
	r.reply = reply
	return r
}
