package slackemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

func (s *Server) userRefLocked(id string) map[string]any {
	name := id
	if u, ok := s.users[id]; ok {
		name = u.Name
	}
	return map[string]any{"id": id, "username": name, "name": name, "team_id": TeamID}
}

func teamRef() map[string]any { return map[string]any{"id": TeamID, "domain": teamDomain} }

func (s *Server) channelNameLocked(id string) string {
	ch, ok := s.channels[id]
	switch {
	case !ok:
		return "unknown"
	case ch.isIM:
		return "directmessage"
	case ch.IsPrivate || ch.IsMpIM:
		return "privategroup"
	}
	return ch.Name
}

// SlashCommand runs the slash command as userID in channelID ("" means the person's DM with the
// bot) and returns the trigger_id it carries. An ack payload with text or blocks becomes the
// command's response, as on Slack.
// https://docs.slack.dev/interactivity/implementing-slash-commands
func (s *Server) SlashCommand(userID, channelID, text string) (triggerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		s.violationLocked("test misuse: SlashCommand by unknown user %s", userID)
	}
	if channelID == "" {
		channelID = s.dmLocked(userID)
	}
	trig := s.newTriggerLocked(userID)
	respURL, ru := s.newResponseURLLocked(responseURL{user: userID, channel: channelID})
	name := userID
	if u, ok := s.users[userID]; ok {
		name = u.Name
	}
	payload, _ := json.Marshal(map[string]any{
		"token": verificationToken, "team_id": TeamID, "team_domain": teamDomain,
		"channel_id": channelID, "channel_name": s.channelNameLocked(channelID),
		"user_id": userID, "user_name": name, "command": s.slashCommand, "text": text,
		"api_app_id": AppID, "response_url": respURL, "trigger_id": trig,
	})
	s.enqueueLocked(&delivery{kind: "slash_commands", payload: payload, accepts: true,
		onAck: func(p json.RawMessage) {
			if len(p) == 0 || string(p) == "null" || string(p) == "{}" {
				return
			}
			var msg responseMessage
			if err := json.Unmarshal(p, &msg); err != nil {
				s.violationLocked("slash command ack payload is not a message object")
				return
			}
			_ = s.applyResponseLocked(ru, msg, "slash command ack")
		}})
	s.changedLocked()
	return trig
}

// SendDM is the person typing text in their DM with the bot: a message.im event.
// https://docs.slack.dev/reference/events/message.im
func (s *Server) SendDM(userID, text string) (ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		s.violationLocked("test misuse: SendDM by unknown user %s", userID)
		return ""
	}
	ch := s.channels[s.dmLocked(userID)]
	m := &storedMessage{
		Message:     Message{Channel: ch.ID, TS: s.tsLocked(), User: userID, Text: text, Blocks: richText(text)},
		clientMsgID: newEnvelopeID(),
	}
	s.messages[ch.ID] = append(s.messages[ch.ID], m)
	s.emitMessageEventLocked(ch, s.messageObjectLocked(m, false))
	s.changedLocked()
	return m.TS
}

// richText is the rich_text block Slack's clients attach to what a person types.
func richText(text string) json.RawMessage {
	b, _ := json.Marshal([]any{map[string]any{
		"type": "rich_text", "block_id": randomHex(3),
		"elements": []any{map[string]any{"type": "rich_text_section",
			"elements": []any{map[string]any{"type": "text", "text": text}}}},
	}})
	return b
}

func (s *Server) personMessageLocked(userID, ts string) (*channelState, *storedMessage, error) {
	ch := s.channels[s.dmLocked(userID)]
	m := s.findMessageLocked(ch.ID, ts)
	if m == nil || m.User != userID || m.BotID != "" {
		return nil, nil, fmt.Errorf("slackemu: no message %s by %s in their DM", ts, userID)
	}
	return ch, m, nil
}

// EditDM is the person editing their DM message: a message_changed event.
// https://docs.slack.dev/reference/events/message/message_changed
func (s *Server) EditDM(userID, ts, newText string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, m, err := s.personMessageLocked(userID, ts)
	if err != nil {
		s.violationLocked("test misuse: EditDM: %v", err)
		return
	}
	prev := s.messageObjectLocked(m, false)
	m.Text, m.Blocks, m.Edited = newText, richText(newText), true
	m.editedTS = s.tsLocked()
	s.emitMessageEventLocked(ch, map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "ts": m.editedTS,
		"message": s.messageObjectLocked(m, false), "previous_message": prev,
	})
	s.changedLocked()
}

// DeleteDM is the person deleting their DM message: a message_deleted event.
func (s *Server) DeleteDM(userID, ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, m, err := s.personMessageLocked(userID, ts)
	if err != nil {
		s.violationLocked("test misuse: DeleteDM: %v", err)
		return
	}
	s.deleteMessageLocked(ch, m)
	s.changedLocked()
}

// OpenHome is the person opening the app's Home tab: an app_home_opened event.
// https://docs.slack.dev/reference/events/app_home_opened
func (s *Server) OpenHome(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := map[string]any{"user": userID, "channel": s.dmLocked(userID), "tab": "home"}
	if id, ok := s.homes[userID]; ok {
		ev["view"] = s.viewObjectLocked(s.views[id])
	}
	s.emitLocked("app_home_opened", ev)
	s.changedLocked()
}

// findElement finds the interactive element with actionID in actions blocks and section
// accessories (input blocks are filled in with SubmitView).
func findElement(blocks json.RawMessage, actionID string) (blockID string, el map[string]any, ok bool) {
	var bs []map[string]any
	if json.Unmarshal(blocks, &bs) != nil {
		return "", nil, false
	}
	for _, b := range bs {
		var els []any
		switch b["type"] {
		case "actions":
			els, _ = b["elements"].([]any)
		case "section":
			if acc, ok := b["accessory"]; ok {
				els = []any{acc}
			}
		}
		for _, e := range els {
			if m, ok := e.(map[string]any); ok && m["action_id"] == actionID {
				id, _ := b["block_id"].(string)
				return id, m, true
			}
		}
	}
	return "", nil, false
}

// actionFor builds the actions[] entry and state value of a click or selection.
// https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
func actionFor(blockID string, el map[string]any, value string, now time.Time) (action, state map[string]any, err error) {
	typ, _ := el["type"].(string)
	action = map[string]any{
		"type": typ, "action_id": el["action_id"], "block_id": blockID,
		"action_ts": fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000),
	}
	state = map[string]any{"type": typ}
	findOption := func() (map[string]any, error) {
		var all []any
		if opts, ok := el["options"].([]any); ok {
			all = append(all, opts...)
		}
		if groups, ok := el["option_groups"].([]any); ok {
			for _, g := range groups {
				if gm, ok := g.(map[string]any); ok {
					if opts, ok := gm["options"].([]any); ok {
						all = append(all, opts...)
					}
				}
			}
		}
		for _, o := range all {
			if om, ok := o.(map[string]any); ok && om["value"] == value {
				return om, nil
			}
		}
		return nil, fmt.Errorf("slackemu: %s %v has no option with value %q", typ, el["action_id"], value)
	}
	switch typ {
	case "button":
		if value != "" {
			return nil, nil, errors.New("slackemu: a button has no options: use Click")
		}
		action["text"] = el["text"]
		if v, ok := el["value"]; ok {
			action["value"] = v
		}
		return action, nil, nil
	case "overflow", "radio_buttons", "static_select":
		if value == "" {
			return nil, nil, fmt.Errorf("slackemu: %s needs an option value: use Select", typ)
		}
		o, err := findOption()
		if err != nil {
			return nil, nil, err
		}
		action["selected_option"] = o
		state["selected_option"] = o
	case "checkboxes", "multi_static_select":
		var opts []any
		for _, v := range strings.Split(value, ",") {
			value = v
			o, err := findOption()
			if err != nil {
				return nil, nil, err
			}
			opts = append(opts, o)
		}
		action["selected_options"] = opts
		state["selected_options"] = opts
	case "datepicker":
		action["selected_date"], state["selected_date"] = value, value
	case "timepicker":
		action["selected_time"], state["selected_time"] = value, value
	case "users_select":
		action["selected_user"], state["selected_user"] = value, value
	case "conversations_select":
		action["selected_conversation"], state["selected_conversation"] = value, value
	case "channels_select":
		action["selected_channel"], state["selected_channel"] = value, value
	default:
		return nil, nil, fmt.Errorf("slackemu: clicking a %s is not emulated", typ)
	}
	return action, state, nil
}

// Click presses the button with actionID in a message the bot posted (channelID, ts): a
// block_actions interaction with the button's value, a trigger_id and a response_url.
func (s *Server) Click(userID, channelID, ts, actionID string) error {
	return s.actOnMessage(userID, channelID, ts, actionID, "")
}

// Select picks the option with value in the radio buttons, select or overflow menu with
// actionID in a message (comma-separated values for checkboxes and multi-selects).
func (s *Server) Select(userID, channelID, ts, actionID, value string) error {
	if value == "" {
		return errors.New("slackemu: select: empty value")
	}
	return s.actOnMessage(userID, channelID, ts, actionID, value)
}

func (s *Server) actOnMessage(userID, channelID, ts, actionID, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessageLocked(channelID, ts)
	if m == nil {
		return fmt.Errorf("slackemu: click: no message %s in %s", ts, channelID)
	}
	if m.Ephemeral && m.To != userID {
		return fmt.Errorf("slackemu: click: message %s is shown only to %s", ts, m.To)
	}
	blockID, el, ok := findElement(m.Blocks, actionID)
	if !ok {
		return fmt.Errorf("slackemu: click: no element with action_id %q in message %s", actionID, ts)
	}
	action, state, err := actionFor(blockID, el, value, s.now())
	if err != nil {
		return err
	}
	trig := s.newTriggerLocked(userID)
	respURL, _ := s.newResponseURLLocked(responseURL{user: userID, channel: channelID, msgTS: ts})
	values := map[string]any{}
	if state != nil {
		values[blockID] = map[string]any{actionID: state}
	}
	payload := map[string]any{
		"type": "block_actions", "user": s.userRefLocked(userID), "api_app_id": AppID,
		"token": verificationToken, "trigger_id": trig, "team": teamRef(), "enterprise": nil,
		"is_enterprise_install": false, "response_url": respURL,
		"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": channelID, "is_ephemeral": m.Ephemeral},
		"channel":   map[string]any{"id": channelID, "name": s.channelNameLocked(channelID)},
		"state":     map[string]any{"values": values},
		"actions":   []any{action},
	}
	if !m.Ephemeral {
		// Slack leaves the message out of payloads from ephemeral messages.
		payload["message"] = s.messageObjectLocked(m, false)
	}
	raw, _ := json.Marshal(payload)
	s.enqueueLocked(&delivery{kind: "interactive", payload: raw, accepts: true})
	s.changedLocked()
	return nil
}

// ClickInView presses the button with actionID in an open modal or Home tab (viewID).
func (s *Server) ClickInView(userID, viewID, actionID string) error {
	return s.actOnView(userID, viewID, actionID, "")
}

// SelectInView picks an option in a select or radio group outside input blocks of a view.
func (s *Server) SelectInView(userID, viewID, actionID, value string) error {
	if value == "" {
		return errors.New("slackemu: select: empty value")
	}
	return s.actOnView(userID, viewID, actionID, value)
}

func (s *Server) actOnView(userID, viewID, actionID, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[viewID]
	if !ok || v.User != userID || !s.openViewLocked(v) {
		return fmt.Errorf("slackemu: click: view %s is not open for %s", viewID, userID)
	}
	blockID, el, ok := findElement(v.Blocks, actionID)
	if !ok {
		return fmt.Errorf("slackemu: click: no element with action_id %q in view %s", actionID, viewID)
	}
	action, _, err := actionFor(blockID, el, value, s.now())
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": s.userRefLocked(userID), "api_app_id": AppID,
		"token": verificationToken, "trigger_id": s.newTriggerLocked(userID), "team": teamRef(),
		"enterprise": nil, "is_enterprise_install": false,
		"container": map[string]any{"type": "view", "view_id": viewID},
		"view":      s.viewObjectLocked(v), "actions": []any{action},
	})
	s.enqueueLocked(&delivery{kind: "interactive", payload: payload, accepts: true})
	s.changedLocked()
	return nil
}

// inputState turns what a person typed or picked into an input's view.state value.
// https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload#view_submission
func inputState(el map[string]any, value string, given bool) (map[string]any, error) {
	typ, _ := el["type"].(string)
	st := map[string]any{"type": typ}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		if !given {
			st["value"] = nil
			return st, nil
		}
		if n, ok := el["max_length"].(json.Number); ok {
			if mx, _ := n.Int64(); int64(runes(value)) > mx {
				return nil, fmt.Errorf("slackemu: submit: %q is longer than max_length %d", value, mx)
			}
		}
		if n, ok := el["min_length"].(json.Number); ok {
			if mn, _ := n.Int64(); int64(runes(value)) < mn {
				return nil, fmt.Errorf("slackemu: submit: %q is shorter than min_length %d", value, mn)
			}
		}
		st["value"] = value
		return st, nil
	}
	if !given {
		switch typ {
		case "checkboxes", "multi_static_select":
			st["selected_options"] = []any{}
		case "radio_buttons", "static_select":
			st["selected_option"] = nil
		}
		return st, nil
	}
	_, s, err := actionFor("", el, value, time.Time{})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// requiredNote is what the client shows under a required input left empty.
const requiredNote = "Please complete this required field."

// RequiredError is Slack's client refusing to submit a modal whose required inputs are empty:
// nothing reaches the app, and each named input shows a note.
type RequiredError struct {
	BlockIDs []string
}

// Notes are the notes the client shows, by block id.
func (e *RequiredError) Notes() map[string]string {
	notes := map[string]string{}
	for _, id := range e.BlockIDs {
		notes[id] = requiredNote
	}
	return notes
}

func (e *RequiredError) Error() string {
	return "slackemu: submit: required input " + strings.Join(e.BlockIDs, ", ") + " is empty"
}

// SubmitView fills the open modal's inputs (block_id → action_id → value, or an option's value)
// and submits it. It waits for the app's ack, applies its response_action (errors, update, push,
// clear; none closes the modal) and returns the ack's payload.
// https://docs.slack.dev/surfaces/modals#handling_submissions
func (s *Server) SubmitView(userID, viewID string, values map[string]map[string]string) (map[string]any, error) {
	s.mu.Lock()
	v, ok := s.views[viewID]
	stack := s.modals[userID]
	if !ok || v.User != userID || len(stack) == 0 || stack[len(stack)-1] != viewID {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackemu: submit: view %s is not the open modal of %s", viewID, userID)
	}
	var blocks []map[string]any
	_ = decodeJSON(v.Blocks, &blocks)
	state := map[string]map[string]any{}
	used := map[string]bool{}
	var missing []string
	for _, b := range blocks {
		if b["type"] != "input" {
			continue
		}
		bid, _ := b["block_id"].(string)
		el, _ := b["element"].(map[string]any)
		aid, _ := el["action_id"].(string)
		val, given := values[bid][aid]
		given = given && val != ""
		if given {
			used[bid+"/"+aid] = true
		}
		if opt, _ := b["optional"].(bool); !opt && !given {
			missing = append(missing, bid)
			continue
		}
		st, err := inputState(el, val, given)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		state[bid] = map[string]any{aid: st}
	}
	if len(missing) > 0 {
		// Slack's client refuses to submit with a required input empty, and says so under each.
		re := &RequiredError{BlockIDs: missing}
		v.Errors = re.Notes()
		s.changedLocked()
		s.mu.Unlock()
		return nil, re
	}
	for bid, acts := range values {
		for aid := range acts {
			if !used[bid+"/"+aid] && acts[aid] != "" {
				s.mu.Unlock()
				return nil, fmt.Errorf("slackemu: submit: view %s has no input %s/%s", viewID, bid, aid)
			}
		}
	}
	v.state = state
	v.Errors = nil
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": teamRef(), "user": s.userRefLocked(userID),
		"api_app_id": AppID, "token": verificationToken, "trigger_id": s.newTriggerLocked(userID),
		"view": s.viewObjectLocked(v), "response_urls": []any{}, "is_enterprise_install": false,
		"enterprise": nil,
	})
	reply := make(chan map[string]any, 1)
	s.enqueueLocked(&delivery{kind: "interactive", payload: payload, accepts: true,
		onAck: func(p json.RawMessage) { reply <- s.applyViewResponseLocked(v, p) }})
	s.changedLocked()
	s.mu.Unlock()

	timer := time.NewTimer(s.ackTimeout + time.Second)
	defer timer.Stop()
	select {
	case r := <-reply:
		return r, nil
	case <-timer.C:
		// Slack shows the person an error in the modal when the app is too slow.
		return nil, errors.New("slackemu: submit: the app did not acknowledge the view_submission in time")
	case <-s.done:
		return nil, errors.New("slackemu: submit: emulator closed")
	}
}

// applyViewResponseLocked applies a view_submission ack.
// https://docs.slack.dev/surfaces/modals#updating_response (response_action)
func (s *Server) applyViewResponseLocked(v *View, p json.RawMessage) map[string]any {
	out := map[string]any{}
	if len(p) == 0 || string(p) == "null" {
		s.closeViewLocked(v)
		return out
	}
	if err := decodeJSON(p, &out); err != nil {
		s.violationLocked("view_submission ack payload is not a JSON object")
		return map[string]any{}
	}
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	_ = json.Unmarshal(p, &resp)
	switch resp.ResponseAction {
	case "":
		s.closeViewLocked(v)
	case "errors":
		inputs := map[string]bool{}
		var blocks []map[string]any
		_ = json.Unmarshal(v.Blocks, &blocks)
		for _, b := range blocks {
			if id, _ := b["block_id"].(string); b["type"] == "input" {
				inputs[id] = true
			}
		}
		for id := range resp.Errors {
			if !inputs[id] {
				// Slack shows the person a generic error instead.
				s.violationLocked("response_action errors: %q is not an input block of view %s", id, v.ID)
			}
		}
		v.Errors = resp.Errors
	case "update":
		parsed, aerr := s.parseViewLocked(resp.View, surfaceModal, "response_action update")
		if aerr == nil {
			s.setViewContentLocked(v, parsed)
		}
	case "push":
		parsed, aerr := s.parseViewLocked(resp.View, surfaceModal, "response_action push")
		if aerr == nil {
			if _, aerr := s.pushViewLocked(v.User, parsed); aerr != nil {
				s.violationLocked("response_action push: %s", aerr.code)
			}
		}
	case "clear":
		delete(s.modals, v.User)
	default:
		s.violationLocked("view_submission ack: unknown response_action %q", resp.ResponseAction)
	}
	return out
}

// CloseView is the person closing a modal; with notify_on_close the app gets view_closed.
// https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload#view_closed
func (s *Server) CloseView(userID, viewID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[viewID]
	stack := s.modals[userID]
	if !ok || len(stack) == 0 || stack[len(stack)-1] != viewID {
		return fmt.Errorf("slackemu: close: view %s is not the open modal of %s", viewID, userID)
	}
	cleared := v.ClearOnClose
	if v.NotifyOnClose {
		payload, _ := json.Marshal(map[string]any{
			"type": "view_closed", "team": teamRef(), "user": s.userRefLocked(userID),
			"api_app_id": AppID, "token": verificationToken, "view": s.viewObjectLocked(v),
			"is_cleared": cleared, "is_enterprise_install": false, "enterprise": nil,
		})
		s.enqueueLocked(&delivery{kind: "interactive", payload: payload, accepts: true})
	}
	if cleared {
		delete(s.modals, userID)
	} else {
		s.closeViewLocked(v)
	}
	s.changedLocked()
	return nil
}

func channelType(ch *channelState) string {
	if ch.IsPrivate || ch.IsMpIM {
		return "G"
	}
	return "C"
}

// JoinChannel adds a person (or the bot) to a channel: a member_joined_channel event, sent when
// the bot is (then) a member.
// https://docs.slack.dev/reference/events/member_joined_channel
func (s *Server) JoinChannel(userID, channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.isIM {
		s.violationLocked("test misuse: JoinChannel: no channel %s", channelID)
		return
	}
	if !s.isMemberLocked(ch, userID) {
		ch.Members = append(ch.Members, userID)
	}
	// "This event requires membership in the conversation": an app hears of joins only in
	// channels it is in (its own join included).
	if s.isMemberLocked(ch, BotUserID) {
		s.emitLocked("member_joined_channel", map[string]any{
			"user": userID, "channel": channelID, "channel_type": channelType(ch), "team": TeamID,
		})
	}
	s.changedLocked()
}

// LeaveChannel removes a person (or the bot) from a channel: a member_left_channel event, sent
// when the bot is still a member.
// https://docs.slack.dev/reference/events/member_left_channel
func (s *Server) LeaveChannel(userID, channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.isIM {
		s.violationLocked("test misuse: LeaveChannel: no channel %s", channelID)
		return
	}
	ch.Members = slices.DeleteFunc(ch.Members, func(m string) bool { return m == userID })
	// Like joins, leaves reach only an app that is (still) in the channel. The app's own removal
	// is told to it with channel_left (group_left for a private channel), not member_left_channel.
	if userID == BotUserID {
		s.emitBotLeftLocked(ch, userID)
	} else if s.isMemberLocked(ch, BotUserID) {
		s.emitLocked("member_left_channel", map[string]any{
			"user": userID, "channel": channelID, "channel_type": channelType(ch), "team": TeamID,
		})
	}
	s.changedLocked()
}

// RemoveBot is actorID removing the app from a channel (/remove @Reflect, or "Remove app" in the
// channel's settings): the app gets channel_left, or group_left for a private channel, naming who
// removed it.
// https://docs.slack.dev/reference/events/channel_left
// https://docs.slack.dev/reference/events/group_left
func (s *Server) RemoveBot(channelID, actorID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.isIM || !s.isMemberLocked(ch, BotUserID) {
		s.violationLocked("test misuse: RemoveBot: the app is not in channel %s", channelID)
		return
	}
	ch.Members = slices.DeleteFunc(ch.Members, func(m string) bool { return m == BotUserID })
	s.emitBotLeftLocked(ch, actorID)
	s.changedLocked()
}

// emitBotLeftLocked sends the app channel_left or group_left: {"type", "channel", "actor_id",
// "event_ts"}, as @slack/types' ChannelLeftEvent and GroupLeftEvent describe them.
// https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/ChannelLeftEvent
func (s *Server) emitBotLeftLocked(ch *channelState, actorID string) {
	typ := "channel_left"
	if ch.IsPrivate || ch.IsMpIM {
		typ = "group_left"
	}
	s.emitLocked(typ, map[string]any{"channel": ch.ID, "actor_id": actorID, "event_ts": s.tsLocked()})
}

// DeleteChannel is actorID deleting a channel: channel_deleted for a public channel (every app
// with channels:read hears of it), group_deleted for a private one (sent to its members, so to
// the app only if it was one). The channel is gone afterwards: conversations.info answers
// channel_not_found.
// https://docs.slack.dev/reference/events/channel_deleted
// https://docs.slack.dev/reference/events/group_deleted
// https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/GroupDeletedEvent
func (s *Server) DeleteChannel(channelID, actorID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.isIM {
		s.violationLocked("test misuse: DeleteChannel: no channel %s", channelID)
		return
	}
	member := s.isMemberLocked(ch, BotUserID)
	delete(s.channels, channelID)
	switch {
	case !ch.IsPrivate && !ch.IsMpIM:
		s.emitLocked("channel_deleted", map[string]any{"channel": channelID, "actor_id": actorID, "event_ts": s.tsLocked()})
	case member:
		s.emitLocked("group_deleted", map[string]any{"channel": channelID, "date_deleted": s.now().Unix(),
			"actor_id": actorID, "event_ts": s.tsLocked()})
	}
	s.changedLocked()
}

// ArchiveChannel archives a channel (by its creator): a channel_archive event, or group_archive
// for a private channel.
// https://docs.slack.dev/reference/events/channel_archive
// https://docs.slack.dev/reference/events/group_archive
func (s *Server) ArchiveChannel(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.isIM {
		s.violationLocked("test misuse: ArchiveChannel: no channel %s", channelID)
		return
	}
	ch.IsArchived = true
	if ch.IsPrivate {
		s.emitLocked("group_archive", map[string]any{"channel": channelID})
	} else {
		s.emitLocked("channel_archive", map[string]any{"channel": channelID, "user": ch.Creator, "is_moving": 0})
	}
	s.changedLocked()
}
