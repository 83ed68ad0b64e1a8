package slackemu

import (
	"encoding/json"
	"fmt"
	"time"
)

// triggerTTL is how long a trigger_id may be exchanged for a modal.
// https://docs.slack.dev/interactivity/handling-user-interaction#modal_responses ("trigger_ids
// expire in 3 seconds", and each can be used once)
const triggerTTL = 3 * time.Second

// maxModalStack is how many views a modal stack holds.
// https://docs.slack.dev/surfaces/modals#pushing_views
const maxModalStack = 3

func (s *Server) newTriggerLocked(user string) string {
	s.seq++
	id := fmt.Sprintf("%d.%d.%s", s.now().Unix(), s.seq, randomHex(16))
	s.triggers[id] = &trigger{user: user, created: s.now()}
	return id
}

// useTriggerLocked exchanges a trigger_id: once, within 3 seconds.
// https://docs.slack.dev/reference/methods/views.open (invalid_trigger_id, expired_trigger_id,
// exchanged_trigger_id)
func (s *Server) useTriggerLocked(id string) (*trigger, *apiError) {
	if id == "" {
		return nil, errCode("invalid_arguments", "[ERROR] missing required field: trigger_id")
	}
	tr, ok := s.triggers[id]
	if !ok {
		return nil, errCode("invalid_trigger_id")
	}
	if tr.used {
		return nil, errCode("exchanged_trigger_id")
	}
	if s.now().Sub(tr.created) > triggerTTL {
		return nil, errCode("expired_trigger_id")
	}
	tr.used = true
	return tr, nil
}

// parseViewLocked checks a view payload for a surface and returns it with normalized blocks.
// https://docs.slack.dev/reference/views/modal-views (title, submit and close ≤ 24 plain_text
// characters; submit required with input blocks; 100 blocks; private_metadata ≤ 3000)
// https://docs.slack.dev/reference/views/home-tab-views
func (s *Server) parseViewLocked(raw json.RawMessage, sf surface, where string) (map[string]any, *apiError) {
	var v map[string]any
	if len(raw) == 0 || decodeJSON(raw, &v) != nil {
		s.violationLocked("%s: view is not a JSON object", where)
		return nil, errCode("invalid_arguments", "[ERROR] view must be a JSON object [json-pointer:/view]")
	}
	ck := newChecker(sf)
	want := "modal"
	if sf == surfaceHome {
		want = "home"
	}
	if t, _ := str(v, "type"); t != want {
		ck.fail("/view/type", true, "must be %q", want)
	}
	blocks, ok := list(v, "blocks")
	if !ok {
		ck.fail("/view/blocks", true, "is required")
	} else {
		ck.blocks("/view/blocks", blocks)
	}
	if sf == surfaceModal {
		ck.text("/view/title", v["title"], 24, true)
		for _, k := range []string{"close", "submit"} {
			if t, ok := v[k]; ok && t != nil {
				ck.text("/view/"+k, t, 24, true)
			}
		}
		if ck.hasInput && v["submit"] == nil {
			ck.fail("/view/submit", true, "is required when the view has input blocks")
		}
	}
	if pm, _ := str(v, "private_metadata"); runes(pm) > 3000 {
		ck.fail("/view/private_metadata", true, "must be less than 3001 characters")
	}
	for _, k := range []string{"callback_id", "external_id"} {
		if id, _ := str(v, k); runes(id) > 255 {
			ck.fail("/view/"+k, true, "must be less than 256 characters")
		}
	}
	var rejected []string
	for _, pr := range ck.problems {
		s.violationLocked("%s: %s", where, pr.msg)
		if pr.reject {
			rejected = append(rejected, pr.msg)
		}
	}
	if len(rejected) > 0 {
		return nil, errCode("invalid_arguments", rejected...)
	}
	return v, nil
}

func (s *Server) newHashLocked() string {
	return fmt.Sprintf("%d.%s", s.now().Unix(), randomHex(4))
}

// setViewContentLocked copies a parsed view payload into v.
func (s *Server) setViewContentLocked(v *View, raw map[string]any) {
	v.raw = raw
	v.Type, _ = str(raw, "type")
	v.CallbackID, _ = str(raw, "callback_id")
	v.PrivateMetadata, _ = str(raw, "private_metadata")
	if ext, _ := str(raw, "external_id"); ext != "" {
		v.ExternalID = ext
		s.externalID[ext] = v.ID
	}
	if t, ok := obj(raw, "title"); ok {
		v.Title, _ = str(t, "text")
	}
	v.Submit, v.Close = "", ""
	if t, ok := obj(raw, "submit"); ok {
		v.Submit, _ = str(t, "text")
	}
	if t, ok := obj(raw, "close"); ok {
		v.Close, _ = str(t, "text")
	}
	v.NotifyOnClose, _ = raw["notify_on_close"].(bool)
	v.ClearOnClose, _ = raw["clear_on_close"].(bool)
	v.Blocks, _ = json.Marshal(raw["blocks"])
	v.Hash = s.newHashLocked()
	v.Errors = nil
	v.state = nil
}

// viewObjectLocked renders a view as Slack returns it from views.* and in payloads.
// https://docs.slack.dev/reference/views
func (s *Server) viewObjectLocked(v *View) map[string]any {
	o := map[string]any{
		"type": v.Type, "private_metadata": "", "callback_id": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false, "close": nil, "submit": nil,
	}
	for k, val := range v.raw {
		o[k] = val
	}
	values := map[string]any{}
	for b, acts := range v.state {
		values[b] = acts
	}
	o["id"] = v.ID
	o["team_id"] = TeamID
	o["state"] = map[string]any{"values": values}
	o["hash"] = v.Hash
	o["root_view_id"] = v.RootViewID
	o["previous_view_id"] = nilIfEmpty(v.PreviousViewID)
	o["app_id"] = AppID
	o["app_installed_team_id"] = TeamID
	o["bot_id"] = BotID
	o["blocks"] = json.RawMessage(v.Blocks)
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) checkExternalIDLocked(raw map[string]any, self string) *apiError {
	if ext, _ := str(raw, "external_id"); ext != "" {
		if owner, ok := s.externalID[ext]; ok && owner != self {
			return errCode("duplicate_external_id")
		}
	}
	return nil
}

// https://docs.slack.dev/reference/methods/views.open
func (s *Server) viewsOpen(c *call) (map[string]any, *apiError) {
	raw, _ := c.p.jsonArg("view")
	parsed, aerr := s.parseViewLocked(raw, surfaceModal, "views.open")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkExternalIDLocked(parsed, ""); aerr != nil {
		return nil, aerr
	}
	tr, aerr := s.useTriggerLocked(c.p.str("trigger_id"))
	if aerr != nil {
		return nil, aerr
	}
	v := &View{ID: s.newIDLocked("V"), User: tr.user}
	v.RootViewID = v.ID
	s.setViewContentLocked(v, parsed)
	s.views[v.ID] = v
	s.modals[tr.user] = []string{v.ID}
	return map[string]any{"view": s.viewObjectLocked(v)}, nil
}

// https://docs.slack.dev/reference/methods/views.push
func (s *Server) viewsPush(c *call) (map[string]any, *apiError) {
	raw, _ := c.p.jsonArg("view")
	parsed, aerr := s.parseViewLocked(raw, surfaceModal, "views.push")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkExternalIDLocked(parsed, ""); aerr != nil {
		return nil, aerr
	}
	tr, aerr := s.useTriggerLocked(c.p.str("trigger_id"))
	if aerr != nil {
		return nil, aerr
	}
	v, aerr := s.pushViewLocked(tr.user, parsed)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"view": s.viewObjectLocked(v)}, nil
}

func (s *Server) pushViewLocked(user string, parsed map[string]any) (*View, *apiError) {
	stack := s.modals[user]
	if len(stack) == 0 {
		return nil, errCode("invalid_arguments", "[ERROR] no open modal to push a view onto")
	}
	if len(stack) >= maxModalStack {
		return nil, errCode("push_limit_reached")
	}
	v := &View{ID: s.newIDLocked("V"), User: user, RootViewID: stack[0], PreviousViewID: stack[len(stack)-1]}
	s.setViewContentLocked(v, parsed)
	s.views[v.ID] = v
	s.modals[user] = append(stack, v.ID)
	return v, nil
}

// openViewLocked reports whether a view is still open (a modal in a stack, or a Home tab).
func (s *Server) openViewLocked(v *View) bool {
	if v.Type == "home" {
		return s.homes[v.User] == v.ID
	}
	for _, id := range s.modals[v.User] {
		if id == v.ID {
			return true
		}
	}
	return false
}

// https://docs.slack.dev/reference/methods/views.update
func (s *Server) viewsUpdate(c *call) (map[string]any, *apiError) {
	id := c.p.str("view_id")
	if id == "" {
		ext := c.p.str("external_id")
		if ext == "" {
			return nil, errCode("invalid_arguments", "[ERROR] view_id or external_id is required")
		}
		id = s.externalID[ext]
	}
	v, ok := s.views[id]
	if !ok || !s.openViewLocked(v) {
		return nil, errCode("not_found")
	}
	if h := c.p.str("hash"); h != "" && h != v.Hash {
		// https://docs.slack.dev/reference/methods/views.update (hash_conflict)
		return nil, errCode("hash_conflict")
	}
	sf := surfaceModal
	if v.Type == "home" {
		sf = surfaceHome
	}
	raw, _ := c.p.jsonArg("view")
	parsed, aerr := s.parseViewLocked(raw, sf, "views.update")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkExternalIDLocked(parsed, v.ID); aerr != nil {
		return nil, aerr
	}
	s.setViewContentLocked(v, parsed)
	return map[string]any{"view": s.viewObjectLocked(v)}, nil
}

// https://docs.slack.dev/reference/methods/views.publish
func (s *Server) viewsPublish(c *call) (map[string]any, *apiError) {
	user := c.p.str("user_id")
	if user == "" {
		return nil, errCode("invalid_arguments", "[ERROR] missing required field: user_id")
	}
	if _, ok := s.users[user]; !ok {
		return nil, errCode("user_not_found")
	}
	raw, _ := c.p.jsonArg("view")
	parsed, aerr := s.parseViewLocked(raw, surfaceHome, "views.publish")
	if aerr != nil {
		return nil, aerr
	}
	v, ok := s.views[s.homes[user]]
	if h := c.p.str("hash"); h != "" && (!ok || h != v.Hash) {
		return nil, errCode("hash_conflict")
	}
	if !ok {
		v = &View{ID: s.newIDLocked("V"), User: user}
		s.views[v.ID] = v
		s.homes[user] = v.ID
	}
	if aerr := s.checkExternalIDLocked(parsed, v.ID); aerr != nil {
		return nil, aerr
	}
	s.setViewContentLocked(v, parsed)
	return map[string]any{"view": s.viewObjectLocked(v)}, nil
}

// closeViewLocked pops a modal (and the ones pushed above it).
func (s *Server) closeViewLocked(v *View) {
	stack := s.modals[v.User]
	for i, id := range stack {
		if id == v.ID {
			s.modals[v.User] = stack[:i]
			break
		}
	}
	if len(s.modals[v.User]) == 0 {
		delete(s.modals, v.User)
	}
}
