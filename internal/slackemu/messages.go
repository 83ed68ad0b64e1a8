package slackemu

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxTextLen is where Slack stops accepting message text.
// https://docs.slack.dev/reference/methods/chat.postMessage (text is truncated past 40,000
// characters; msg_too_long)
const maxTextLen = 40000

func (s *Server) botProfile() map[string]any {
	return map[string]any{
		"id": BotID, "app_id": AppID, "name": botName, "deleted": false, "team_id": TeamID,
		"updated": 1700000000, "icons": map[string]any{"image_36": "", "image_48": "", "image_72": ""},
	}
}

// messageObjectLocked renders a stored message as the Web API and Events API show it.
// https://docs.slack.dev/reference/objects/message-object
func (s *Server) messageObjectLocked(m *storedMessage, withMetadata bool) map[string]any {
	obj := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "team": TeamID}
	if m.User != "" {
		obj["user"] = m.User
	}
	if m.BotID != "" {
		obj["bot_id"] = m.BotID
		obj["app_id"] = AppID
		obj["bot_profile"] = s.botProfile()
	}
	if st, ok := m.raw["subtype"].(string); ok && st != "" {
		obj["subtype"] = st
	}
	if len(m.Blocks) > 0 {
		obj["blocks"] = json.RawMessage(m.Blocks)
	}
	if m.ThreadTS != "" {
		obj["thread_ts"] = m.ThreadTS
	}
	if m.Edited {
		obj["edited"] = map[string]any{"user": m.User, "ts": m.editedTS}
	}
	if m.clientMsgID != "" {
		obj["client_msg_id"] = m.clientMsgID
	}
	if withMetadata && m.Metadata != nil {
		obj["metadata"] = m.Metadata
	}
	if len(m.Files) > 0 {
		var files []any
		for _, f := range m.Files {
			files = append(files, s.fileObjectLocked(f.ID))
		}
		obj["files"] = files
		obj["upload"] = false
		obj["display_as_bot"] = false
	}
	return obj
}

// emitMessageEventLocked sends a message.im event for a message in a DM: Slack delivers every
// message in the app's DMs, the app's own included, so the bot must skip its own.
// https://docs.slack.dev/reference/events/message.im
func (s *Server) emitMessageEventLocked(ch *channelState, event map[string]any) {
	if !ch.isIM {
		return
	}
	event["channel"] = ch.ID
	event["channel_type"] = "im"
	if _, ok := event["event_ts"]; !ok {
		event["event_ts"] = event["ts"]
	}
	s.emitLocked("message", event)
}

// postTargetLocked resolves chat.postMessage's channel: a user id posts into the app's DM with
// that person, as Slack does.
// https://docs.slack.dev/reference/methods/chat.postMessage#channels
func (s *Server) postTargetLocked(id string) (*channelState, *apiError) {
	if id == "" {
		return nil, errCode("channel_not_found")
	}
	if u, ok := s.users[id]; ok {
		if u.IsBot {
			return nil, errCode("cannot_dm_bot")
		}
		if u.Deleted {
			return nil, errCode("is_archived")
		}
		return s.channels[s.dmLocked(u.ID)], nil
	}
	ch, aerr := s.visibleChannelLocked(id)
	if aerr != nil {
		return nil, aerr
	}
	if ch.isIM {
		if u := s.users[ch.imUser]; u != nil && u.Deleted {
			return nil, errCode("is_archived")
		}
		return ch, nil
	}
	if ch.IsArchived {
		return nil, errCode("is_archived")
	}
	if !s.isMemberLocked(ch, BotUserID) {
		return nil, errCode("not_in_channel")
	}
	return ch, nil
}

// content is a message's text, blocks and metadata as a call gives them.
type content struct {
	text      string
	blocks    json.RawMessage
	hasBlocks bool
	metadata  *Metadata
	hasMeta   bool
}

// messageContentLocked reads and checks text, blocks and metadata. Block Kit problems Slack
// rejects answer invalid_blocks; every problem is also recorded as a violation.
func (s *Server) messageContentLocked(c *call, where string) (content, *apiError) {
	var ct content
	ct.text = c.p.str("text")
	if len([]rune(ct.text)) > maxTextLen {
		s.violationLocked("%s: text is %d characters, over Slack's %d", where, len([]rune(ct.text)), maxTextLen)
		return ct, errCode("msg_too_long")
	}
	if raw, ok := c.p.jsonArg("blocks"); ok {
		norm, aerr := s.checkBlocksLocked(raw, surfaceMessage, where)
		if aerr != nil {
			return ct, aerr
		}
		ct.blocks, ct.hasBlocks = norm, true
	}
	_, hasAttachments := c.p.jsonArg("attachments")
	if ct.text == "" && !hasAttachments && (!ct.hasBlocks || string(ct.blocks) == "[]") {
		return ct, errCode("no_text")
	}
	if ct.hasBlocks && string(ct.blocks) != "[]" && strings.TrimSpace(ct.text) == "" {
		// Slack posts it but warns: notifications and screen readers fall back to text.
		// https://docs.slack.dev/reference/methods/chat.postMessage#text_usage
		s.violationLocked("%s: message has blocks but no top-level text fallback", where)
	}
	if raw, ok := c.p.jsonArg("metadata"); ok {
		md, aerr := parseMetadata(raw)
		if aerr != nil {
			s.violationLocked("%s: bad metadata: %s", where, aerr.code)
			return ct, aerr
		}
		ct.metadata, ct.hasMeta = md, true
	}
	return ct, nil
}

// parseMetadata checks message metadata: an event_type and an event_payload object.
// https://docs.slack.dev/messaging/message-metadata
func parseMetadata(raw json.RawMessage) (*Metadata, *apiError) {
	var md struct {
		EventType    *string         `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, errCode("invalid_metadata_format")
	}
	if md.EventType == nil || *md.EventType == "" || len(*md.EventType) > 255 {
		return nil, errCode("invalid_metadata_schema", "[ERROR] event_type is required")
	}
	for _, r := range *md.EventType {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return nil, errCode("invalid_metadata_schema", "[ERROR] event_type must be alphanumeric with underscores")
		}
	}
	out := &Metadata{EventType: *md.EventType, EventPayload: map[string]any{}}
	if len(md.EventPayload) > 0 && string(md.EventPayload) != "null" {
		if err := json.Unmarshal(md.EventPayload, &out.EventPayload); err != nil {
			return nil, errCode("invalid_metadata_schema", "[ERROR] event_payload must be an object")
		}
	}
	return out, nil
}

// https://docs.slack.dev/reference/methods/chat.postMessage
func (s *Server) chatPostMessage(c *call) (map[string]any, *apiError) {
	ch, aerr := s.postTargetLocked(c.p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	ct, aerr := s.messageContentLocked(c, "chat.postMessage")
	if aerr != nil {
		return nil, aerr
	}
	m := &storedMessage{Message: Message{
		Channel: ch.ID, TS: s.tsLocked(), User: BotUserID, BotID: BotID, Text: ct.text,
		Blocks: ct.blocks, Metadata: ct.metadata, ThreadTS: c.p.str("thread_ts"),
	}}
	s.messages[ch.ID] = append(s.messages[ch.ID], m)
	s.emitMessageEventLocked(ch, s.messageObjectLocked(m, false))
	return map[string]any{"channel": ch.ID, "ts": m.TS, "message": s.messageObjectLocked(m, true)}, nil
}

// https://docs.slack.dev/reference/methods/chat.postEphemeral
func (s *Server) chatPostEphemeral(c *call) (map[string]any, *apiError) {
	ch, aerr := s.postTargetLocked(c.p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	user := c.p.str("user")
	u, ok := s.users[user]
	if !ok {
		return nil, errCode("user_not_found")
	}
	if !s.isMemberLocked(ch, u.ID) {
		return nil, errCode("user_not_in_channel")
	}
	ct, aerr := s.messageContentLocked(c, "chat.postEphemeral")
	if aerr != nil {
		return nil, aerr
	}
	m := &storedMessage{Message: Message{
		Channel: ch.ID, TS: s.tsLocked(), User: BotUserID, BotID: BotID, Text: ct.text,
		Blocks: ct.blocks, Ephemeral: true, To: u.ID, ThreadTS: c.p.str("thread_ts"),
	}}
	s.messages[ch.ID] = append(s.messages[ch.ID], m)
	return map[string]any{"message_ts": m.TS}, nil
}

// editTargetLocked finds the bot message chat.update or chat.delete acts on.
func (s *Server) editTargetLocked(c *call, notMine string) (*channelState, *storedMessage, *apiError) {
	ch, aerr := s.visibleChannelLocked(c.p.str("channel"))
	if aerr != nil {
		return nil, nil, aerr
	}
	m := s.findMessageLocked(ch.ID, c.p.str("ts"))
	if m == nil || m.Ephemeral {
		return nil, nil, errCode("message_not_found")
	}
	if m.BotID != BotID {
		return nil, nil, errCode(notMine)
	}
	return ch, m, nil
}

// https://docs.slack.dev/reference/methods/chat.update
func (s *Server) chatUpdate(c *call) (map[string]any, *apiError) {
	ch, m, aerr := s.editTargetLocked(c, "cant_update_message")
	if aerr != nil {
		return nil, aerr
	}
	ct, aerr := s.messageContentLocked(c, "chat.update")
	if aerr != nil {
		return nil, aerr
	}
	prev := s.messageObjectLocked(m, false)
	m.Text = ct.text
	// Blocks left out are kept; an empty array removes them.
	// https://docs.slack.dev/reference/methods/chat.update ("blocks": "If you don't include this
	// field, the message's previous blocks will be retained. To remove previous blocks, include
	// an empty array for this field.")
	if ct.hasBlocks {
		m.Blocks = ct.blocks
		if string(ct.blocks) == "[]" {
			m.Blocks = nil
		}
	}
	if ct.hasMeta {
		m.Metadata = ct.metadata
	}
	m.Edited = true
	evTS := s.tsLocked()
	m.editedTS = evTS
	s.emitMessageEventLocked(ch, map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "ts": evTS,
		"message": s.messageObjectLocked(m, false), "previous_message": prev,
	})
	return map[string]any{"channel": ch.ID, "ts": m.TS, "text": m.Text, "message": s.messageObjectLocked(m, true)}, nil
}

// https://docs.slack.dev/reference/methods/chat.delete
func (s *Server) chatDelete(c *call) (map[string]any, *apiError) {
	ch, m, aerr := s.editTargetLocked(c, "cant_delete_message")
	if aerr != nil {
		return nil, aerr
	}
	s.deleteMessageLocked(ch, m)
	return map[string]any{"channel": ch.ID, "ts": m.TS}, nil
}

// deleteMessageLocked removes a message and tells the app, as message_deleted.
// https://docs.slack.dev/reference/events/message/message_deleted
func (s *Server) deleteMessageLocked(ch *channelState, m *storedMessage) {
	prev := s.messageObjectLocked(m, false)
	m.deleted = true
	if m.Ephemeral {
		return
	}
	evTS := s.tsLocked()
	s.emitMessageEventLocked(ch, map[string]any{
		"type": "message", "subtype": "message_deleted", "hidden": true, "ts": evTS,
		"deleted_ts": m.TS, "previous_message": prev,
	})
}

// https://docs.slack.dev/reference/methods/conversations.history
func (s *Server) conversationsHistory(c *call) (map[string]any, *apiError) {
	ch, aerr := s.visibleChannelLocked(c.p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	if !s.isMemberLocked(ch, BotUserID) {
		return nil, errCode("not_in_channel")
	}
	oldest, latest := int64(0), int64(1)<<62
	if v := c.p.str("oldest"); v != "" {
		var ok bool
		if oldest, ok = parseTS(v); !ok {
			return nil, errCode("invalid_ts_oldest")
		}
	}
	if v := c.p.str("latest"); v != "" {
		var ok bool
		if latest, ok = parseTS(v); !ok {
			return nil, errCode("invalid_ts_latest")
		}
	}
	inclusive := c.p.boolean("inclusive")
	limit := 100
	if l := c.p.str("limit"); l != "" && l != "0" {
		if _, err := fmt.Sscanf(l, "%d", &limit); err != nil || limit < 1 {
			return nil, errCode("invalid_limit")
		}
	}
	limit = min(limit, 999)
	// The cursor names the newest ts of the next page, so messages posted between two pages
	// neither repeat nor vanish, as with Slack's own cursors.
	before := int64(1) << 62
	if cur := c.p.str("cursor"); cur != "" {
		rest, ok := strings.CutPrefix(cur, "bmV4dF90czo")
		ts, ok2 := parseTS(rest)
		if !ok || !ok2 {
			return nil, errCode("invalid_cursor")
		}
		before = ts + 1
	}
	withMeta := c.p.boolean("include_all_metadata")
	ms := s.sortedMessagesLocked(ch.ID)
	var picked []map[string]any
	next := ""
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		ts, _ := parseTS(m.TS)
		if m.deleted || m.Ephemeral || ts >= before {
			continue
		}
		if ts < oldest || ts > latest || (!inclusive && (ts == oldest || ts == latest)) {
			continue
		}
		if len(picked) == limit {
			next = "bmV4dF90czo" + m.TS
			break
		}
		picked = append(picked, s.messageObjectLocked(m, withMeta))
	}
	if picked == nil {
		picked = []map[string]any{}
	}
	return map[string]any{
		"messages": picked, "has_more": next != "", "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}
