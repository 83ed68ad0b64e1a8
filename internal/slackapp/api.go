package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/slack-go/slack"
)

// Limits of a modal's plain-text labels.
// https://docs.slack.dev/reference/views/modal-views (title, submit and close: 24 characters)
const (
	maxViewTitle  = 24
	maxViewButton = 24
)

// UserProfile is what Reflect needs to know about a person: their time zone for schedules, and
// the kind of account for deciding whether to send to them at all and who may opt a channel in.
type UserProfile struct {
	ID, TZ            string // TZ is an IANA zone name, such as "Europe/London"
	IsBot, Deleted    bool
	IsAdmin, IsOwner  bool
	IsRestricted      bool // a multi-channel guest
	IsUltraRestricted bool // a single-channel guest
}

// UserInfo looks a person up with users.info. A person Slack does not know gives an *APIError
// with Code "user_not_found".
// https://docs.slack.dev/reference/methods/users.info
func (a *App) UserInfo(ctx context.Context, userID string) (UserProfile, error) {
	u, err := a.userInfo(ctx, userID)
	if err != nil {
		return UserProfile{}, err
	}
	return profileOf(u), nil
}

// userInfo calls users.info for one person.
func (a *App) userInfo(ctx context.Context, userID string) (*slack.User, error) {
	var u *slack.User
	err := a.web.call(ctx, "users.info", callOpts{}, func(ctx context.Context) error {
		var err error
		u, err = a.api.GetUserInfoContext(ctx, userID)
		return err
	})
	return u, err
}

// profileOf is what a users.info or users.list user says of a person.
// https://docs.slack.dev/reference/objects/user-object
func profileOf(u *slack.User) UserProfile {
	return UserProfile{
		ID: u.ID, TZ: u.TZ,
		IsBot: u.IsBot, Deleted: u.Deleted,
		IsAdmin: u.IsAdmin, IsOwner: u.IsOwner,
		IsRestricted: u.IsRestricted, IsUltraRestricted: u.IsUltraRestricted,
	}
}

// UpdateMessage replaces the text and blocks of a message the app posted (channelID, ts) with m;
// an m without blocks removes the old ones. An unknown ts gives an *APIError with Code
// "message_not_found".
//
// chat.update sets the message to the same content however often it runs, so unlike a post it
// may simply be called again after an ErrAmbiguous failure.
// https://docs.slack.dev/reference/methods/chat.update
func (a *App) UpdateMessage(ctx context.Context, channelID, ts string, m Message) error {
	m, err := versioned(m)
	if err != nil {
		return err
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		// Always sent: without blocks chat.update keeps the old ones, and slack-go sends an
		// empty list as "[]", which removes them.
		slack.MsgOptionBlocks(m.Blocks...),
	}
	return a.web.call(ctx, "chat.update", callOpts{}, func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channelID, ts, opts...)
		return err
	})
}

// versioned gives every block of m a block_id of its own version: the id it was built with and a
// hash of the whole message. Slack asks for a new block_id for each version of an updated
// message ("block_id should be unique for each message and each iteration of a message. If a
// message is updated, use a new block_id"), so a client holding the old version never mixes its
// state with the new one. Two updates to the same content keep the same ids, as they are the
// same version.
// https://docs.slack.dev/reference/block-kit/blocks/section-block
func versioned(m Message) (Message, error) {
	if len(m.Blocks) == 0 {
		return m, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return Message{}, fmt.Errorf("slackapp: version blocks: %w", err)
	}
	h := fnv.New32a()
	h.Write(raw)
	version := fmt.Sprintf("%08x", h.Sum32())
	var wire struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		return Message{}, fmt.Errorf("slackapp: version blocks: %w", err)
	}
	for i, b := range wire.Blocks {
		id, _ := b["block_id"].(string)
		if id == "" {
			id = fmt.Sprintf("b%d", i)
		}
		// Slack allows 255 characters; the built ids are short, but a long one keeps its end.
		id += "." + version
		if len(id) > maxBlockID {
			id = id[len(id)-maxBlockID:]
		}
		b["block_id"] = id
	}
	raw, err = json.Marshal(wire)
	if err != nil {
		return Message{}, fmt.Errorf("slackapp: version blocks: %w", err)
	}
	var out Message
	if err := out.UnmarshalJSON(raw); err != nil {
		return Message{}, err
	}
	return out, nil
}

// maxBlockID is Slack's limit on a block_id.
const maxBlockID = 255

// View is a modal to open: plain-text title and button labels (cut to Slack's 24 characters),
// the callback_id its submission is routed by (HandleView), and opaque private_metadata that
// comes back with the submission. An empty Submit or Close leaves that button out or Slack's
// default in place.
type View struct {
	CallbackID, Title, Submit, Close, PrivateMetadata string
	Blocks                                            []slack.Block
}

// modalRequest builds the views.open payload.
func (v View) modalRequest() slack.ModalViewRequest {
	req := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           PlainText(Truncate(v.Title, maxViewTitle)),
		Blocks:          slack.Blocks{BlockSet: nonNilBlocks(v.Blocks)},
		CallbackID:      v.CallbackID,
		PrivateMetadata: v.PrivateMetadata,
	}
	if v.Submit != "" {
		req.Submit = PlainText(Truncate(v.Submit, maxViewButton))
	}
	if v.Close != "" {
		req.Close = PlainText(Truncate(v.Close, maxViewButton))
	}
	return req
}

// OpenView opens v as a modal for the person whose click or command gave triggerID, and returns
// the view's id. A trigger lives 3 seconds and opens one view: a late one gives an *APIError with
// Code "expired_trigger_id", a used one "exchanged_trigger_id".
//
// Because a trigger is single-use, a views.open that failed ambiguously is not repeated (it may
// have consumed the trigger), and a 429 is returned at once as a *RateLimitError rather than
// waited out past the trigger's life.
// https://docs.slack.dev/reference/methods/views.open
func (a *App) OpenView(ctx context.Context, triggerID string, v View) (viewID string, err error) {
	if triggerID == "" {
		return "", errors.New("slackapp: views.open: no trigger id")
	}
	req := v.modalRequest()
	if !slack.ValidateUniqueBlockID(req) {
		// slack-go refuses this before sending; say so rather than let it look ambiguous.
		return "", errors.New("slackapp: views.open: input blocks share a block_id")
	}
	var resp *slack.ViewResponse
	err = a.web.call(ctx, "views.open", callOpts{noRateLimitWait: true}, func(ctx context.Context) error {
		var err error
		resp, err = a.api.OpenViewContext(ctx, triggerID, req)
		return err
	})
	if err != nil {
		return "", err
	}
	if resp == nil || resp.View.ID == "" {
		return "", fmt.Errorf("slackapp: views.open: %w (no view in the reply)", ErrAmbiguous)
	}
	return resp.View.ID, nil
}

// PublishHome sets the person's App Home tab to blocks, replacing what was there; like
// chat.update it may be repeated after an ErrAmbiguous failure.
// https://docs.slack.dev/reference/methods/views.publish
func (a *App) PublishHome(ctx context.Context, userID string, blocks []slack.Block) error {
	req := slack.PublishViewContextRequest{
		UserID: userID,
		View:   slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: nonNilBlocks(blocks)}},
	}
	return a.web.call(ctx, "views.publish", callOpts{}, func(ctx context.Context) error {
		_, err := a.api.PublishViewContext(ctx, req)
		return err
	})
}

// PlainText is a plain_text text object, as buttons, headers and modal titles need.
func PlainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// nonNilBlocks makes an empty block list marshal as [] (views require "blocks"), not null.
func nonNilBlocks(b []slack.Block) []slack.Block {
	if b == nil {
		return []slack.Block{}
	}
	return b
}
