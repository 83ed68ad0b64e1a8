package slackemu

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Response URLs take at most 5 posts within 30 minutes.
// https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
const (
	responseURLTTL  = 30 * time.Minute
	responseURLUses = 5
)

// https://docs.slack.dev/reference/methods/files.getUploadURLExternal
func (s *Server) filesGetUploadURLExternal(c *call) (map[string]any, *apiError) {
	name := c.p.str("filename")
	var length int
	if _, err := fmt.Sscanf(c.p.str("length"), "%d", &length); err != nil || length < 1 || name == "" {
		return nil, errCode("invalid_arguments", "[ERROR] filename and a positive length are required")
	}
	id := s.newIDLocked("F")
	s.files[id] = &uploadedFile{id: id, name: name, length: length}
	// The upload URL is on the API host: slack-go sends the token only there.
	return map[string]any{"upload_url": s.baseURL + "upload/" + id, "file_id": id}, nil
}

// serveUpload takes the bytes of a file, as a multipart "file" part or a raw body.
// https://docs.slack.dev/messaging/working-with-files#upload
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var data []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, _, ferr := r.FormFile("file")
		if ferr != nil {
			http.Error(w, "missing file part", http.StatusBadRequest)
			return
		}
		defer f.Close()
		data, err = io.ReadAll(io.LimitReader(f, 64<<20))
	} else {
		data, err = io.ReadAll(io.LimitReader(r.Body, 64<<20))
	}
	if err != nil {
		http.Error(w, "read upload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok || f.completed {
		http.NotFound(w, r)
		return
	}
	if len(data) != f.length {
		s.violationLocked("file upload %s: %d bytes sent, %d declared in files.getUploadURLExternal", id, len(data), f.length)
	}
	f.data, f.uploaded = data, true
	s.changedLocked()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}

// serveFile serves url_private to the bot token.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, id string) {
	if r.Header.Get("Authorization") != "Bearer "+s.botToken {
		http.Error(w, "not authorized", http.StatusUnauthorized)
		return
	}
	data, ok := s.File(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data)
}

func (s *Server) fileObjectLocked(id string) map[string]any {
	f := s.files[id]
	if f == nil {
		return map[string]any{"id": id}
	}
	ext := strings.TrimPrefix(path.Ext(f.name), ".")
	mt := mime.TypeByExtension(path.Ext(f.name))
	if mt == "" {
		mt = "application/octet-stream"
	}
	mt, _, _ = strings.Cut(mt, ";")
	return map[string]any{
		"id": f.id, "created": s.now().Unix(), "timestamp": s.now().Unix(), "name": f.name,
		"title": f.title, "mimetype": mt, "filetype": ext, "pretty_type": strings.ToUpper(ext),
		"user": BotUserID, "user_team": TeamID, "editable": false, "size": len(f.data),
		"mode": "hosted", "is_external": false, "external_type": "", "is_public": false,
		"public_url_shared": false, "display_as_bot": false, "username": "",
		"url_private":          s.baseURL + "files/" + f.id,
		"url_private_download": s.baseURL + "files/" + f.id + "?download=1",
		"permalink":            "https://" + teamDomain + ".slack.com/files/" + BotUserID + "/" + f.id,
	}
}

// https://docs.slack.dev/reference/methods/files.completeUploadExternal
func (s *Server) filesCompleteUploadExternal(c *call) (map[string]any, *apiError) {
	raw, ok := c.p.jsonArg("files")
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if !ok || json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, errCode("invalid_arguments", "[ERROR] files must be a JSON array of {id, title}")
	}
	for _, it := range list {
		f, ok := s.files[it.ID]
		if !ok || !f.uploaded || f.completed {
			return nil, errCode("file_not_found")
		}
	}
	var targets []*channelState
	chans := c.p.str("channels")
	if id := c.p.str("channel_id"); id != "" {
		chans = id
	}
	for _, id := range strings.Split(chans, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if _, isUser := s.users[id]; isUser {
			return nil, errCode("channel_not_found") // a channel id is required here, not a user id
		}
		ch, aerr := s.postTargetLocked(id)
		if aerr != nil {
			return nil, aerr
		}
		targets = append(targets, ch)
	}
	comment := c.p.str("initial_comment")
	var blocks json.RawMessage
	if rawBlocks, ok := c.p.jsonArg("blocks"); ok && comment == "" {
		norm, aerr := s.checkBlocksLocked(rawBlocks, surfaceMessage, "files.completeUploadExternal")
		if aerr != nil {
			return nil, aerr
		}
		blocks = norm
	}
	var out []any
	var files []File
	for _, it := range list {
		f := s.files[it.ID]
		f.completed = true
		f.title = it.Title
		if f.title == "" {
			f.title = f.name
		}
		files = append(files, File{ID: f.id, Name: f.name, Title: f.title, Size: len(f.data)})
		out = append(out, map[string]any{"id": f.id, "title": f.title})
	}
	for _, ch := range targets {
		m := &storedMessage{
			Message: Message{Channel: ch.ID, TS: s.tsLocked(), User: BotUserID, BotID: BotID,
				Text: comment, Blocks: blocks, Files: files, ThreadTS: c.p.str("thread_ts")},
			raw: map[string]any{"subtype": "file_share"},
		}
		s.messages[ch.ID] = append(s.messages[ch.ID], m)
		// https://docs.slack.dev/reference/events/message/file_share
		s.emitMessageEventLocked(ch, s.messageObjectLocked(m, false))
	}
	return map[string]any{"files": out}, nil
}

func (s *Server) newResponseURLLocked(r responseURL) (string, *responseURL) {
	id := randomHex(16)
	r.created = s.now()
	s.responses[id] = &r
	return s.baseURL + "respond/" + id, &r
}

// responseMessage is what an app posts to a response_url, or acks a slash command with.
// https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	ru, ok := s.responses[id]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if s.now().Sub(ru.created) > responseURLTTL {
		s.violationLocked("response_url used after 30 minutes")
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "expired_url"})
		return
	}
	if ru.uses >= responseURLUses {
		s.violationLocked("response_url used more than %d times", responseURLUses)
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "used_url"})
		return
	}
	ru.uses++
	var msg responseMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		s.violationLocked("response_url: body is not JSON")
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}
	if aerr := s.applyResponseLocked(ru, msg, "response_url"); aerr != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": aerr.code})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// applyResponseLocked applies a message response: a new ephemeral (the default) or in-channel
// message, or a replacement or deletion of the message the interaction came from.
func (s *Server) applyResponseLocked(ru *responseURL, msg responseMessage, where string) *apiError {
	ch := s.channels[ru.channel]
	if msg.DeleteOriginal {
		if m := s.findMessageLocked(ru.channel, ru.msgTS); m != nil && ch != nil {
			s.deleteMessageLocked(ch, m)
		}
		return nil
	}
	var blocks json.RawMessage
	hasBlocks := len(msg.Blocks) > 0 && string(msg.Blocks) != "null"
	if hasBlocks {
		norm, aerr := s.checkBlocksLocked(msg.Blocks, surfaceMessage, where)
		if aerr != nil {
			return aerr
		}
		blocks = norm
	}
	if msg.Text == "" && (!hasBlocks || string(blocks) == "[]") {
		s.violationLocked("%s: message has neither text nor blocks", where)
		return errCode("no_text")
	}
	if hasBlocks && msg.Text == "" {
		s.violationLocked("%s: message has blocks but no top-level text fallback", where)
	}
	if len([]rune(msg.Text)) > maxTextLen {
		s.violationLocked("%s: text over %d characters", where, maxTextLen)
		return errCode("msg_too_long")
	}
	if msg.ReplaceOriginal && ru.msgTS != "" {
		if m := s.findMessageLocked(ru.channel, ru.msgTS); m != nil {
			prev := s.messageObjectLocked(m, false)
			m.Text, m.Blocks = msg.Text, blocks
			if !m.Ephemeral && ch != nil {
				m.Edited = true
				m.editedTS = s.tsLocked()
				s.emitMessageEventLocked(ch, map[string]any{
					"type": "message", "subtype": "message_changed", "hidden": true, "ts": m.editedTS,
					"message": s.messageObjectLocked(m, false), "previous_message": prev,
				})
			}
			return nil
		}
	}
	m := &storedMessage{Message: Message{
		Channel: ru.channel, TS: s.tsLocked(), User: BotUserID, BotID: BotID, Text: msg.Text,
		Blocks: blocks, ThreadTS: msg.ThreadTS,
	}}
	if msg.ResponseType != "in_channel" {
		m.Ephemeral, m.To = true, ru.user
	}
	s.messages[ru.channel] = append(s.messages[ru.channel], m)
	if !m.Ephemeral && ch != nil {
		s.emitMessageEventLocked(ch, s.messageObjectLocked(m, false))
	}
	return nil
}
