package slackemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// FaultKind is a kind of failure FailNext injects into a Web API method.
type FaultKind int

// The faults a test can inject.
const (
	// FaultHTTP500 answers HTTP 500 with an HTML body, as Slack's edge does.
	FaultHTTP500 FaultKind = iota + 1
	// FaultTimeout holds the response until the client gives up (or the emulator closes).
	FaultTimeout
	// FaultReset closes the TCP connection with a reset and no response.
	FaultReset
	// FaultRateLimit answers HTTP 429 with Retry-After: RetryAfter seconds (1 if unset).
	FaultRateLimit
	// FaultError answers HTTP 200 with {"ok":false,"error":Code}, as Slack refuses a call (a
	// token it no longer accepts: invalid_auth, account_inactive, token_revoked…). The call
	// takes no effect.
	FaultError
)

// Fault is one injected failure. With Applied the request takes effect before it fails, which
// makes the ambiguous failures (the post DID land) that the bot must reconcile.
type Fault struct {
	Kind       FaultKind
	Applied    bool
	Code       string // FaultError's error code
	RetryAfter int    // FaultRateLimit's Retry-After in seconds; 0 means 1
}

// FailNext makes the next n calls of method fail with fault.
func (s *Server) FailNext(method string, n int, fault Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], fault)
	}
}

// SetLatency makes every call of method take d longer (0 removes it): Slack slowed down. The
// delay comes before the call takes effect, on the real clock.
func (s *Server) SetLatency(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, method)
		return
	}
	s.latency[method] = d
}

// bucket is a token bucket on the emulator's clock.
type bucket struct {
	rate  float64 // tokens per second
	burst float64
	level float64
	last  time.Time
}

func newBucket(rate float64, burst int) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{rate: rate, burst: float64(burst), level: float64(burst)}
}

// take spends one token, or says how many whole seconds to wait for one.
func (b *bucket) take(now time.Time) (ok bool, retryAfter int) {
	if !b.last.IsZero() {
		b.level = math.Min(b.burst, b.level+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.level >= 1 {
		b.level--
		return true, 0
	}
	wait := int(math.Ceil((1 - b.level) / b.rate))
	return false, max(wait, 1)
}

// SetRateLimit limits a Web API method to perMinute calls with bursts of burst (perMinute 0
// removes the limit). Slack's tiers: 1+, 20+, 50+ and 100+ per minute.
// https://docs.slack.dev/apis/web-api/rate-limits
func (s *Server) SetRateLimit(method string, perMinute int, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perMinute <= 0 {
		delete(s.limits, method)
		return
	}
	s.limits[method] = newBucket(float64(perMinute)/60, burst)
}

// WithSlackTiers applies Slack's published rate-limit tiers to the emulated methods, with
// bursts as large as a minute's quota, and the one-message-per-second-per-channel limit of
// chat.postMessage with bursts of 3. Off by default, so tests are limited only where they ask.
// https://docs.slack.dev/apis/web-api/rate-limits
func WithSlackTiers() Option {
	return func(s *Server) {
		tiers := []struct {
			perMinute int
			methods   []string
		}{
			{1, []string{"apps.connections.open"}},
			{20, []string{"users.list"}},
			{50, []string{"chat.update", "chat.delete", "conversations.open", "conversations.history", "conversations.info"}},
			{100, []string{"auth.test", "chat.postEphemeral", "conversations.members", "users.info", "views.open",
				"views.update", "views.push", "views.publish", "files.getUploadURLExternal", "files.completeUploadExternal"}},
		}
		for _, tier := range tiers {
			for _, m := range tier.methods {
				s.limits[m] = newBucket(float64(tier.perMinute)/60, max(tier.perMinute, 5))
			}
		}
		s.chanRate, s.chanBurst = 1, 3
	}
}

// SetMessageRate sets the workspace-wide chat.postMessage rate (0 turns it off). Slack keeps a
// workspace-wide limit beside the per-channel one and does not publish it; here it is a token
// bucket holding a second's worth of posts (Slack allows short bursts), and a post over it is
// answered 429 with the whole seconds until the next one would be taken as Retry-After, as Slack
// answers, taking no effect. RateLimited counts those answers.
// https://docs.slack.dev/apis/web-api/rate-limits
func (s *Server) SetMessageRate(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		s.msgLimit = nil
		return
	}
	s.msgLimit = newBucket(perSecond, int(math.Ceil(perSecond)))
}

// SetChannelMessageRate sets the per-channel chat.postMessage rate with short bursts (0 turns it
// off): Slack allows about one message per second per channel.
// https://docs.slack.dev/apis/web-api/rate-limits
func (s *Server) SetChannelMessageRate(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chanRate, s.chanBurst = perSecond, burst
	s.chanLimits = map[string]*bucket{}
}

// apiError is a Web API error answer.
type apiError struct {
	code     string
	messages []string
	needed   string // missing_scope: the scope the method needed
}

func errCode(code string, messages ...string) *apiError {
	return &apiError{code: code, messages: messages}
}

// call is one Web API request being served.
type call struct {
	method string
	p      params
	r      *http.Request
}

// params reads arguments from a form or a JSON body alike.
type params struct {
	form url.Values
	js   map[string]json.RawMessage
}

func (p params) raw(k string) (json.RawMessage, bool) {
	if p.js != nil {
		if r, ok := p.js[k]; ok && string(bytes.TrimSpace(r)) != "null" {
			return r, true
		}
	}
	if v, ok := p.form[k]; ok && len(v) > 0 {
		b, _ := json.Marshal(v[0])
		return b, true
	}
	return nil, false
}

// str is an argument as text: JSON strings unquoted, other JSON values as written.
func (p params) str(k string) string {
	r, ok := p.raw(k)
	if !ok {
		return ""
	}
	var v string
	if json.Unmarshal(r, &v) == nil {
		return v
	}
	return string(bytes.TrimSpace(r))
}

// jsonArg is an argument that holds JSON (blocks, view, metadata): in a form, or as a string in
// a JSON body, it is JSON-encoded text; in a JSON body it may also be the value itself.
func (p params) jsonArg(k string) (json.RawMessage, bool) {
	r, ok := p.raw(k)
	if !ok {
		return nil, false
	}
	var v string
	if json.Unmarshal(r, &v) == nil {
		if strings.TrimSpace(v) == "" {
			return nil, false
		}
		return json.RawMessage(v), true
	}
	return r, true
}

func (p params) boolean(k string) bool {
	switch strings.ToLower(p.str(k)) {
	case "true", "1":
		return true
	}
	return false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "emulator closed", http.StatusServiceUnavailable)
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, "/api/"))
	case r.URL.Path == "/link/" || r.URL.Path == "/link":
		s.serveSocket(w, r)
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		s.serveUpload(w, r, strings.TrimPrefix(r.URL.Path, "/upload/"))
	case strings.HasPrefix(r.URL.Path, "/respond/"):
		s.serveResponseURL(w, r, strings.TrimPrefix(r.URL.Path, "/respond/"))
	case strings.HasPrefix(r.URL.Path, "/files/"):
		s.serveFile(w, r, strings.TrimPrefix(r.URL.Path, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

type methodFn func(*call) (map[string]any, *apiError)

// method maps a Web API method name to its handler; every handler runs with s.mu held.
func (s *Server) method(name string) (methodFn, bool) {
	switch name {
	case "auth.test":
		return s.authTest, true
	case "apps.connections.open":
		return s.appsConnectionsOpen, true
	case "chat.postMessage":
		return s.chatPostMessage, true
	case "chat.update":
		return s.chatUpdate, true
	case "chat.postEphemeral":
		return s.chatPostEphemeral, true
	case "chat.delete":
		return s.chatDelete, true
	case "conversations.open":
		return s.conversationsOpen, true
	case "conversations.history":
		return s.conversationsHistory, true
	case "conversations.info":
		return s.conversationsInfo, true
	case "conversations.members":
		return s.conversationsMembers, true
	case "users.info":
		return s.usersInfo, true
	case "users.list":
		return s.usersList, true
	case "views.open":
		return s.viewsOpen, true
	case "views.update":
		return s.viewsUpdate, true
	case "views.push":
		return s.viewsPush, true
	case "views.publish":
		return s.viewsPublish, true
	case "files.getUploadURLExternal":
		return s.filesGetUploadURLExternal, true
	case "files.completeUploadExternal":
		return s.filesCompleteUploadExternal, true
	}
	return nil, false
}

// https://docs.slack.dev/apis/web-api/ (responses are HTTP 200 with ok:false for API errors)
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, name string) {
	c := &call{method: name, r: r}

	s.mu.Lock()
	s.calls[name]++
	fn, known := s.method(name)
	var fault *Fault
	if q := s.faults[name]; len(q) > 0 {
		fault = &q[0]
		s.faults[name] = q[1:]
	}
	delay := s.latency[name]
	s.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
	if !known {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method"})
		return
	}
	if fault != nil && fault.Kind == FaultRateLimit {
		s.rateLimited(w, name, max(fault.RetryAfter, 1))
		return
	}
	if fault != nil && fault.Kind == FaultError {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": fault.Code})
		return
	}

	p, perr := parseParams(r)
	var result map[string]any
	var aerr *apiError
	if perr != nil {
		aerr = perr
	} else {
		c.p = p
		if aerr = s.authorize(c); aerr == nil {
			s.mu.Lock()
			if wait, limited := s.checkRateLocked(c); limited {
				s.mu.Unlock()
				// Rejected calls take no effect, whatever the injected fault.
				s.rateLimited(w, name, wait)
				return
			}
			if aerr = s.checkScopeLocked(c); aerr != nil {
				// Refused before it acts.
			} else if fault == nil || fault.Applied {
				result, aerr = fn(c)
			}
			s.changedLocked()
			s.mu.Unlock()
		}
	}

	if fault != nil {
		switch fault.Kind {
		case FaultHTTP500:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "<html><body><h1>500 Internal Server Error</h1></body></html>")
			return
		case FaultTimeout:
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
			resetConn(w)
			return
		case FaultReset:
			resetConn(w)
			return
		}
	}
	if aerr != nil {
		body := map[string]any{"ok": false, "error": aerr.code}
		if len(aerr.messages) > 0 {
			body["response_metadata"] = map[string]any{"messages": aerr.messages}
		}
		if aerr.needed != "" {
			body["needed"] = aerr.needed
			var provided []string
			for sc := range s.scopes {
				provided = append(provided, sc)
			}
			sort.Strings(provided)
			body["provided"] = strings.Join(provided, ",")
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	out := map[string]any{"ok": true}
	for k, v := range result {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// https://docs.slack.dev/apis/web-api/rate-limits (HTTP 429 with Retry-After in seconds)
func (s *Server) rateLimited(w http.ResponseWriter, name string, wait int) {
	s.mu.Lock()
	s.limited[name]++
	s.changedLocked()
	s.mu.Unlock()
	w.Header().Set("Retry-After", fmt.Sprint(wait))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
}

func (s *Server) checkRateLocked(c *call) (int, bool) {
	now := s.now()
	if b, ok := s.limits[c.method]; ok {
		if ok, wait := b.take(now); !ok {
			return wait, true
		}
	}
	if c.method != "chat.postMessage" {
		return 0, false
	}
	if s.msgLimit != nil {
		if ok, wait := s.msgLimit.take(now); !ok {
			return wait, true
		}
	}
	if s.chanRate > 0 {
		ch := c.p.str("channel")
		if u, ok := s.users[ch]; ok && !u.IsBot {
			ch = s.dmLocked(u.ID) // a post to a user id lands in, and counts against, the DM
		}
		b, ok := s.chanLimits[ch]
		if !ok {
			b = newBucket(s.chanRate, s.chanBurst)
			s.chanLimits[ch] = b
		}
		if ok, wait := b.take(now); !ok {
			return wait, true
		}
	}
	return 0, false
}

// resetConn drops the connection without an HTTP response; SO_LINGER 0 makes the close a TCP
// reset, as a proxy or load balancer failing would.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// parseParams reads a form (body and query) or a JSON body.
// https://docs.slack.dev/apis/web-api/#posting_json
func parseParams(r *http.Request) (params, *apiError) {
	ct := r.Header.Get("Content-Type")
	if r.Method == http.MethodPost && strings.HasPrefix(ct, "application/json") {
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			return params{}, errCode("invalid_form_data")
		}
		p := params{form: r.URL.Query(), js: map[string]json.RawMessage{}}
		if len(bytes.TrimSpace(body)) == 0 || string(bytes.TrimSpace(body)) == "null" {
			return p, nil
		}
		if err := json.Unmarshal(body, &p.js); err != nil {
			return params{}, errCode("invalid_json")
		}
		return p, nil
	}
	if err := r.ParseForm(); err != nil {
		return params{}, errCode("invalid_form_data")
	}
	return params{form: r.Form}, nil
}

// authorize checks the token. Tokens go in the Authorization header or a form's token field;
// a JSON body must use the header. apps.connections.open takes only an app-level token, and only
// in the header; every other method here takes only the bot token.
// https://docs.slack.dev/reference/methods/apps.connections.open
// https://docs.slack.dev/authentication/tokens
func (s *Server) authorize(c *call) *apiError {
	header := ""
	if h := c.r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return errCode("invalid_auth")
		}
		header = strings.TrimSpace(tok)
	}
	token := header
	if token == "" && c.p.js == nil {
		token = c.p.form.Get("token")
	}
	if token == "" {
		return errCode("not_authed")
	}
	s.mu.Lock()
	revoked := s.revoked
	s.mu.Unlock()
	switch token {
	case s.appToken:
		if c.method != "apps.connections.open" {
			return errCode("not_allowed_token_type")
		}
		if header == "" {
			return errCode("invalid_auth")
		}
	case s.botToken:
		if c.method == "apps.connections.open" {
			return errCode("not_allowed_token_type")
		}
	default:
		return errCode("invalid_auth")
	}
	if revoked {
		// https://docs.slack.dev/reference/events/tokens_revoked
		return errCode("token_revoked")
	}
	return nil
}

// https://docs.slack.dev/reference/methods/auth.test
func (s *Server) authTest(*call) (map[string]any, *apiError) {
	return map[string]any{
		"url": "https://" + teamDomain + ".slack.com/", "team": "Emulated", "user": botName,
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "is_enterprise_install": false,
	}, nil
}

// https://docs.slack.dev/reference/methods/apps.connections.open
func (s *Server) appsConnectionsOpen(c *call) (map[string]any, *apiError) {
	if c.r.Method != http.MethodPost {
		return nil, errCode("insecure_request")
	}
	ticket := randomHex(16)
	s.sock.tickets[ticket] = true
	u := "ws://" + s.listener.Addr().String() + "/link/?ticket=" + ticket + "&app_id=" + AppID
	return map[string]any{"url": u}, nil
}

func (s *Server) userObjectLocked(u *User) map[string]any {
	tzLabel := u.TZ
	if loc, err := time.LoadLocation(u.TZ); err == nil {
		tzLabel, _ = s.now().In(loc).Zone()
	}
	profile := map[string]any{
		"real_name": u.RealName, "real_name_normalized": u.RealName,
		"display_name": u.Name, "display_name_normalized": u.Name,
		"team": u.TeamID, "avatar_hash": "", "status_text": "", "status_emoji": "",
		"image_24": "", "image_32": "", "image_48": "", "image_72": "", "image_192": "", "image_512": "",
	}
	obj := map[string]any{
		"id": u.ID, "team_id": u.TeamID, "name": u.Name, "deleted": u.Deleted, "color": "9f69e7",
		"real_name": u.RealName, "tz": u.TZ, "tz_label": tzLabel, "tz_offset": u.TZOffset,
		"profile": profile, "is_admin": u.IsAdmin, "is_owner": u.IsOwner,
		"is_primary_owner": u.IsPrimaryOwner, "is_restricted": u.IsRestricted,
		"is_ultra_restricted": u.IsUltraRestricted, "is_bot": u.IsBot, "is_app_user": false,
		"updated": s.now().Unix(), "is_email_confirmed": !u.IsBot,
		"who_can_share_contact_card": "EVERYONE",
	}
	if u.IsStranger {
		// Only external people carry is_stranger, as in Slack.
		obj["is_stranger"] = true
	}
	if u.ID == BotUserID {
		profile["bot_id"] = BotID
		profile["api_app_id"] = AppID
		profile["always_active"] = true
	}
	return obj
}

// https://docs.slack.dev/reference/methods/users.info
func (s *Server) usersInfo(c *call) (map[string]any, *apiError) {
	if ids := c.p.str("users"); ids != "" && c.p.str("user") == "" {
		var list []any
		for _, id := range strings.Split(ids, ",") {
			u, ok := s.users[strings.TrimSpace(id)]
			if !ok {
				return nil, errCode("user_not_found")
			}
			list = append(list, s.userObjectLocked(u))
		}
		return map[string]any{"users": list}, nil
	}
	id := c.p.str("user")
	if id == "" {
		return nil, errCode("user_not_found")
	}
	u, ok := s.users[id]
	if !ok {
		return nil, errCode("user_not_found")
	}
	return map[string]any{"user": s.userObjectLocked(u)}, nil
}

// page slices a list for cursor pagination: the cursor is an opaque offset, limit defaults to
// def and is capped at maxLimit, and next_cursor is "" on the last page.
// https://docs.slack.dev/apis/web-api/pagination
func page(c *call, total, def, maxLimit int) (start, end int, next string, aerr *apiError) {
	limit := def
	if l := c.p.str("limit"); l != "" && l != "0" {
		if _, err := fmt.Sscanf(l, "%d", &limit); err != nil || limit < 1 {
			return 0, 0, "", errCode("invalid_limit")
		}
	}
	limit = min(limit, maxLimit)
	if cur := c.p.str("cursor"); cur != "" {
		off, ok := decodeCursor(cur)
		if !ok || off > total {
			return 0, 0, "", errCode("invalid_cursor")
		}
		start = off
	}
	end = min(start+limit, total)
	if end < total {
		next = encodeCursor(end)
	}
	return start, end, next, nil
}

func encodeCursor(off int) string {
	return fmt.Sprintf("ZW11OmN1cnNvcj%d", off)
}

func decodeCursor(cur string) (int, bool) {
	rest, ok := strings.CutPrefix(cur, "ZW11OmN1cnNvcj")
	if !ok {
		return 0, false
	}
	var off int
	if _, err := fmt.Sscanf(rest, "%d", &off); err != nil || off < 0 {
		return 0, false
	}
	return off, true
}

// https://docs.slack.dev/reference/methods/users.list (limit up to 1000; Slack lists bots and
// Slackbot too)
func (s *Server) usersList(c *call) (map[string]any, *apiError) {
	start, end, next, aerr := page(c, len(s.userOrder), 200, 1000)
	if aerr != nil {
		return nil, aerr
	}
	members := []any{}
	for _, id := range s.userOrder[start:end] {
		if s.users[id].IsStranger {
			// People from other organisations in a shared channel are not the workspace's
			// users: users.list leaves them out (users.info still finds them).
			continue
		}
		members = append(members, s.userObjectLocked(s.users[id]))
	}
	return map[string]any{"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) isMemberLocked(ch *channelState, user string) bool {
	for _, m := range ch.Members {
		if m == user {
			return true
		}
	}
	return false
}

func (s *Server) channelObjectLocked(ch *channelState, numMembers bool) map[string]any {
	if ch.isIM {
		return map[string]any{
			"id": ch.ID, "created": ch.created, "is_im": true, "is_org_shared": false,
			"context_team_id": TeamID, "user": ch.imUser, "is_user_deleted": s.users[ch.imUser] != nil && s.users[ch.imUser].Deleted,
			"priority": 0, "is_open": true, "last_read": "0000000000.000000",
		}
	}
	obj := map[string]any{
		"id": ch.ID, "name": ch.Name, "name_normalized": ch.Name, "created": ch.created,
		"creator": ch.Creator, "is_channel": !ch.IsPrivate && !ch.IsMpIM, "is_group": ch.IsPrivate && !ch.IsMpIM, "is_im": false,
		"is_mpim": ch.IsMpIM, "is_private": ch.IsPrivate || ch.IsMpIM, "is_archived": ch.IsArchived, "is_general": false,
		"is_shared": false, "is_ext_shared": false, "is_org_shared": false, "is_pending_ext_shared": false,
		"is_member": s.isMemberLocked(ch, BotUserID), "context_team_id": TeamID, "unlinked": 0,
		"topic":          map[string]any{"value": "", "creator": "", "last_set": 0},
		"purpose":        map[string]any{"value": "", "creator": "", "last_set": 0},
		"previous_names": []string{},
	}
	if numMembers {
		obj["num_members"] = len(ch.Members)
	}
	return obj
}

// visibleChannelLocked finds a channel the bot may see: public channels always, private ones and
// DMs only as a member. Slack answers channel_not_found for the rest.
func (s *Server) visibleChannelLocked(id string) (*channelState, *apiError) {
	ch, ok := s.channels[id]
	if !ok {
		return nil, errCode("channel_not_found")
	}
	if (ch.IsPrivate || ch.isIM || ch.IsMpIM) && !s.isMemberLocked(ch, BotUserID) {
		return nil, errCode("channel_not_found")
	}
	return ch, nil
}

// https://docs.slack.dev/reference/methods/conversations.info
func (s *Server) conversationsInfo(c *call) (map[string]any, *apiError) {
	ch, aerr := s.visibleChannelLocked(c.p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"channel": s.channelObjectLocked(ch, c.p.boolean("include_num_members"))}, nil
}

// https://docs.slack.dev/reference/methods/conversations.members
func (s *Server) conversationsMembers(c *call) (map[string]any, *apiError) {
	ch, aerr := s.visibleChannelLocked(c.p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	start, end, next, aerr := page(c, len(ch.Members), 100, 1000)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"members": append([]string{}, ch.Members[start:end]...),
		"response_metadata": map[string]any{"next_cursor": next}}, nil
}

// https://docs.slack.dev/reference/methods/conversations.open
func (s *Server) conversationsOpen(c *call) (map[string]any, *apiError) {
	users := c.p.str("users")
	if ch := c.p.str("channel"); ch != "" && users == "" {
		st, aerr := s.visibleChannelLocked(ch)
		if aerr != nil {
			return nil, aerr
		}
		return map[string]any{"channel": map[string]any{"id": st.ID}, "no_op": true, "already_open": true}, nil
	}
	if users == "" {
		return nil, errCode("users_list_not_supplied")
	}
	list := strings.Split(users, ",")
	if len(list) > 1 {
		// Group DMs are out of scope for a bot that only talks one-to-one.
		return nil, errCode("not_allowed", "[ERROR] slackemu: group DMs are not emulated")
	}
	u, ok := s.users[strings.TrimSpace(list[0])]
	if !ok {
		return nil, errCode("user_not_found")
	}
	if u.Deleted {
		return nil, errCode("user_disabled")
	}
	_, existed := s.dms[u.ID]
	id := s.dmLocked(u.ID)
	obj := map[string]any{"id": id}
	if c.p.boolean("return_im") {
		obj = s.channelObjectLocked(s.channels[id], false)
	}
	return map[string]any{"channel": obj, "no_op": existed, "already_open": existed}, nil
}

// conversationScope is the read scope a conversation's kind needs.
// https://docs.slack.dev/reference/methods/conversations.info (channels:read, groups:read,
// im:read, mpim:read)
func conversationScope(ch *channelState, kind string) string {
	switch {
	case ch.isIM:
		return "im:" + kind
	case ch.IsMpIM:
		return "mpim:" + kind
	case ch.IsPrivate:
		return "groups:" + kind
	}
	return "channels:" + kind
}

// checkScopeLocked refuses a call whose method needs a scope the token lacks (WithScopes).
// Each method's scopes are those its reference page lists for a bot token.
func (s *Server) checkScopeLocked(c *call) *apiError {
	if s.scopes == nil {
		return nil
	}
	need := ""
	switch c.method {
	case "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.delete":
		need = "chat:write"
	case "users.info", "users.list":
		need = "users:read"
	case "conversations.open":
		need = "im:write"
	case "files.getUploadURLExternal", "files.completeUploadExternal":
		need = "files:write"
	case "conversations.info", "conversations.members", "conversations.history":
		kind := "read"
		if c.method == "conversations.history" {
			kind = "history"
		}
		if ch, ok := s.channels[c.p.str("channel")]; ok {
			need = conversationScope(ch, kind)
		}
	}
	if need != "" && !s.scopes[need] {
		return &apiError{code: "missing_scope", needed: need}
	}
	return nil
}
