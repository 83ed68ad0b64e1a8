// Package slackemu is an in-process fake Slack on loopback: the Web API and Socket Mode, built to
// Slack's documented behaviour so that the real slack-go client can be tested against it.
//
// It is deliberately stricter than slack-go needs where Slack's documentation and slack-go's
// types could differ: black-box acceptance tests check the bot against real Slack behaviour, so
// anything the emulator lets through should also pass on Slack.
//
// A test starts one with New, points the bot's SLACK_API_URL at APIURL with BotToken and
// AppToken, adds people and channels, then drives the bot as a person would (SlashCommand,
// SendDM, Click, SubmitView...) and waits for the outcome with WaitFor. Faults, rate limits and
// Socket Mode disconnects are injected on demand; Block Kit mistakes the bot makes are answered
// as Slack would and collected in Violations (or fail the test given with WithT).
package slackemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fixed identities of the emulated workspace and app.
const (
	// TeamID is the emulated workspace's id.
	TeamID = "T0EMU"
	// AppID is the emulated app's id.
	AppID = "A0EMU"
	// BotID is the bot's bot id (messages it posts carry it as bot_id).
	BotID = "B0EMU"
	// BotUserID is the bot's own user id.
	BotUserID = "UBOT"

	teamDomain        = "emulated"
	botName           = "reflect"
	verificationToken = "emuverificationtoken"
	defaultTZ         = "America/Los_Angeles"
)

// Option configures a Server in New.
type Option func(*Server)

// T is the part of a test (*testing.T, *testing.B, testing.TB) that WithT needs. It is declared
// here so that the emulator, which "bot try" also runs, does not import the testing package.
type T interface {
	Errorf(format string, args ...any)
}

// WithT makes every Block Kit or limit violation the bot commits fail t (t.Errorf) as well as
// being recorded in Violations.
func WithT(t T) Option { return func(s *Server) { s.t = t } }

// WithClock sets the clock used for message timestamps, trigger and response_url expiry and rate
// limit buckets; the default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithScopes grants the bot token only these OAuth scopes: a method that needs another answers
// missing_scope, naming it in "needed", as Slack does. Without it every scope is granted.
// https://docs.slack.dev/reference/scopes
// https://docs.slack.dev/apis/web-api/#errors (missing_scope)
func WithScopes(scopes ...string) Option {
	return func(s *Server) {
		s.scopes = map[string]bool{}
		for _, sc := range scopes {
			s.scopes[sc] = true
		}
	}
}

// WithPingInterval sets how often WebSocket PINGs are sent to Socket Mode clients (default 10 s).
func WithPingInterval(d time.Duration) Option { return func(s *Server) { s.pingInterval = d } }

// WithAckTimeout sets how long an Events API envelope may stay unacknowledged before it is
// redelivered (default 3 s, Slack's limit), and how long SubmitView waits for an ack.
func WithAckTimeout(d time.Duration) Option { return func(s *Server) { s.ackTimeout = d } }

// User is a person (or bot) in the emulated workspace.
type User struct {
	ID, Name, RealName string
	// TZ is an IANA zone name; TZOffset (seconds east of UTC) is computed from it when zero.
	TZ       string
	TZOffset int
	// Workspace roles, checked by the bot before it lets someone opt a channel in.
	IsAdmin, IsOwner, IsPrimaryOwner bool
	IsBot, Deleted                   bool
	// Guests (restricted, ultra-restricted) and people from other organisations (strangers).
	IsRestricted, IsUltraRestricted, IsStranger bool
	TeamID                                      string
}

// Channel is a public or private channel in the emulated workspace.
type Channel struct {
	ID, Name, Creator string
	Members           []string
	IsPrivate         bool
	IsArchived        bool
	// IsMpIM is a group DM (a multi-person IM): private, and readable only with mpim:read.
	IsMpIM bool
}

// Metadata is Slack message metadata as stored with a message.
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// File is a file shared into a message.
type File struct {
	ID, Name, Title string
	Size            int
}

// Message is a message as it currently stands in a channel.
type Message struct {
	Channel, TS, User, BotID, Text, ThreadTS string
	Blocks                                   json.RawMessage
	Metadata                                 *Metadata
	Files                                    []File
	Edited                                   bool
	Ephemeral                                bool
	To                                       string // ephemeral recipient
}

// View is a modal or App Home view as it currently stands.
type View struct {
	ID, Type, User, CallbackID, PrivateMetadata, Hash, ExternalID string
	RootViewID, PreviousViewID                                    string
	Title                                                         string
	// Submit and Close are the texts of the modal's buttons ("" when the view has none).
	Submit, Close               string
	Blocks                      json.RawMessage
	NotifyOnClose, ClearOnClose bool
	// Errors holds the field errors of the last response_action "errors" ack.
	Errors map[string]string
	// raw is the view object as the app sent it (title, submit, close, blocks...).
	raw map[string]any
	// state holds values filled by SubmitView, shaped as view.state.values.
	state map[string]map[string]any
}

type channelState struct {
	Channel
	created int64
	isIM    bool
	imUser  string
}

type storedMessage struct {
	Message
	raw         map[string]any // extra fields Slack shows, such as subtype
	clientMsgID string
	editedTS    string
	deleted     bool
}

type trigger struct {
	user    string
	created time.Time
	used    bool
}

type responseURL struct {
	user    string
	channel string
	msgTS   string // original message for replace/delete_original, if any
	created time.Time
	uses    int
}

type uploadedFile struct {
	id, name, title string
	length          int
	data            []byte
	uploaded        bool
	completed       bool
}

// Server is a running emulator. Its methods are safe for concurrent use.
type Server struct {
	t            T
	now          func() time.Time
	pingInterval time.Duration
	slashCommand string
	ackTimeout   time.Duration

	listener net.Listener
	http     *http.Server
	baseURL  string
	botToken string
	appToken string

	done      chan struct{}
	closeOnce sync.Once
	loops     sync.WaitGroup // dispatcher and the HTTP server's Serve
	handlers  sync.WaitGroup // in-flight HTTP handlers, WebSocket sessions included

	mu         sync.Mutex
	closed     bool
	changed    chan struct{}
	kick       chan struct{}
	seq        int
	lastTS     int64
	users      map[string]*User
	userOrder  []string
	channels   map[string]*channelState
	dms        map[string]string // user -> DM channel
	messages   map[string][]*storedMessage
	triggers   map[string]*trigger
	responses  map[string]*responseURL
	files      map[string]*uploadedFile
	views      map[string]*View
	modals     map[string][]string // user -> stack of view ids, bottom first
	homes      map[string]string   // user -> home view id
	externalID map[string]string   // external_id -> view id
	calls      map[string]int
	limited    map[string]int
	faults     map[string][]Fault
	latency    map[string]time.Duration
	limits     map[string]*bucket
	msgLimit   *bucket
	chanRate   float64
	chanBurst  int
	chanLimits map[string]*bucket
	revoked    bool
	violations []string
	scopes     map[string]bool // the bot token's scopes; nil grants every one

	sock socketState
}

// New starts an emulator on 127.0.0.1 with a random port. Close it with Close.
func New(opts ...Option) *Server {
	s := &Server{
		now:          time.Now,
		pingInterval: 10 * time.Second,
		slashCommand: "/reflect",
		ackTimeout:   3 * time.Second,
		done:         make(chan struct{}),
		changed:      make(chan struct{}),
		kick:         make(chan struct{}, 1),
		users:        map[string]*User{},
		channels:     map[string]*channelState{},
		dms:          map[string]string{},
		messages:     map[string][]*storedMessage{},
		triggers:     map[string]*trigger{},
		responses:    map[string]*responseURL{},
		files:        map[string]*uploadedFile{},
		views:        map[string]*View{},
		modals:       map[string][]string{},
		homes:        map[string]string{},
		externalID:   map[string]string{},
		calls:        map[string]int{},
		limited:      map[string]int{},
		faults:       map[string][]Fault{},
		latency:      map[string]time.Duration{},
		limits:       map[string]*bucket{},
		chanLimits:   map[string]*bucket{},
	}
	for _, o := range opts {
		o(s)
	}
	s.sock.init()
	s.botToken = "xoxb-" + TeamID + "-" + randomHex(12)
	s.appToken = "xapp-1-" + AppID + "-" + randomHex(12)
	s.addUserLocked(User{ID: BotUserID, Name: botName, RealName: "Reflect", IsBot: true})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		// A loopback listener failing means the machine cannot run any emulator test at all.
		panic(fmt.Sprintf("slackemu: listen on loopback: %v", err))
	}
	s.listener = ln
	s.baseURL = "http://" + ln.Addr().String() + "/"
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	s.loops.Add(2)
	go func() {
		defer s.loops.Done()
		_ = s.http.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	go func() {
		defer s.loops.Done()
		s.dispatchLoop()
	}()
	return s
}

// APIURL is the Web API base URL, ending in "/api/" (what SLACK_API_URL is set to).
func (s *Server) APIURL() string { return s.baseURL + "api/" }

// BotToken is the "xoxb-…" token the Web API accepts.
func (s *Server) BotToken() string { return s.botToken }

// AppToken is the "xapp-…" token accepted by apps.connections.open only.
func (s *Server) AppToken() string { return s.appToken }

// BotUserID is the bot's own user id.
func (s *Server) BotUserID() string { return BotUserID }

// Close stops the emulator: it closes every socket and waits for its goroutines and handlers.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := s.sock.openConns()
		s.mu.Unlock()
		close(s.done)
		for _, c := range conns {
			_ = c.ws.Close()
		}
		_ = s.http.Close()
		s.handlers.Wait()
		s.loops.Wait()
	})
}

// AddUser adds a person to the workspace. An empty TZ defaults to Slack's default zone; a zero
// TZOffset is computed from the zone at the emulator's current time.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUserLocked(u)
	s.changedLocked()
}

func (s *Server) addUserLocked(u User) {
	u = s.normalizeUser(u)
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	s.users[u.ID] = &u
}

func (s *Server) normalizeUser(u User) User {
	if u.TeamID == "" {
		u.TeamID = TeamID
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = u.Name
	}
	if u.TZ == "" {
		u.TZ = defaultTZ
	}
	if u.TZOffset == 0 {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			_, off := s.now().In(loc).Zone()
			u.TZOffset = off
		}
	}
	return u
}

// UpdateUser replaces a person's profile and emits a user_change event to connected apps.
func (s *Server) UpdateUser(u User) {
	s.mu.Lock()
	s.addUserLocked(u)
	obj := s.userObjectLocked(s.users[u.ID])
	s.changedLocked()
	s.mu.Unlock()
	// https://docs.slack.dev/reference/events/user_change
	s.Emit("user_change", map[string]any{"user": obj, "cache_ts": s.now().Unix()})
}

// AddChannel adds a channel. The bot is a member only if BotUserID is listed in Members.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Members = append([]string(nil), c.Members...)
	s.channels[c.ID] = &channelState{Channel: c, created: s.now().Unix()}
	s.changedLocked()
}

// DMChannel is the id of the direct-message channel between the bot and userID.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmLocked(userID)
}

func (s *Server) dmLocked(userID string) string {
	if id, ok := s.dms[userID]; ok {
		return id
	}
	s.seq++
	id := fmt.Sprintf("D%08d", s.seq)
	s.dms[userID] = id
	s.channels[id] = &channelState{
		Channel: Channel{ID: id, Members: []string{BotUserID, userID}, IsPrivate: true},
		created: s.now().Unix(), isIM: true, imUser: userID,
	}
	return id
}

// Messages returns a channel's messages, oldest first, as they currently stand (ephemeral ones
// included, flagged).
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channelID] {
		if m.deleted {
			continue
		}
		out = append(out, copyMessage(m.Message))
	}
	return out
}

// DMs returns the bot↔user DM, oldest first, including ephemeral messages shown to that user.
func (s *Server) DMs(userID string) []Message {
	return s.Messages(s.DMChannel(userID))
}

func copyMessage(m Message) Message {
	m.Blocks = append(json.RawMessage(nil), m.Blocks...)
	m.Files = append([]File(nil), m.Files...)
	if m.Metadata != nil {
		md := *m.Metadata
		m.Metadata = &md
	}
	return m
}

// Views returns a person's open modals, the root first.
func (s *Server) Views(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.modals[userID] {
		out = append(out, copyView(s.views[id]))
	}
	return out
}

// Home returns a person's published App Home view, or nil.
func (s *Server) Home(userID string) *View {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.homes[userID]
	if !ok {
		return nil
	}
	v := copyView(s.views[id])
	return &v
}

func copyView(v *View) View {
	c := *v
	c.Blocks = append(json.RawMessage(nil), v.Blocks...)
	if v.Errors != nil {
		c.Errors = map[string]string{}
		for k, e := range v.Errors {
			c.Errors[k] = e
		}
	}
	c.raw, c.state = nil, nil
	return c
}

// File returns the bytes of an uploaded file.
func (s *Server) File(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok || !f.uploaded {
		return nil, false
	}
	return append([]byte(nil), f.data...), true
}

// Calls is how many times a Web API method was called (failed calls included).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// RateLimited is how many HTTP 429 answers each method got.
func (s *Server) RateLimited() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.limited {
		out[k] = v
	}
	return out
}

// Violations lists the Block Kit, limit and protocol violations the bot committed.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// violationLocked records a violation and fails the test given with WithT.
func (s *Server) violationLocked(format string, args ...any) {
	if s.closed {
		return
	}
	msg := fmt.Sprintf(format, args...)
	s.violations = append(s.violations, msg)
	if s.t != nil {
		s.t.Errorf("slackemu: %s", msg)
	}
}

// WaitFor blocks until cond returns true, re-checking it after every state change, or until ctx
// ends. cond must not hold locks the emulator needs.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slackemu: wait: %w", ctx.Err())
		case <-s.done:
			return errors.New("slackemu: wait: emulator closed")
		}
	}
}

// changedLocked wakes every WaitFor.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// tsLocked makes a message timestamp: strictly increasing, so that every message in the
// workspace has its own, as Slack's are unique per channel.
func (s *Server) tsLocked() string {
	us := s.now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// parseTS turns "1700000000.000100" into microseconds; ok is false for malformed input.
func parseTS(ts string) (int64, bool) {
	if ts == "" {
		return 0, false
	}
	sec, frac, _ := strings.Cut(ts, ".")
	if len(frac) > 6 {
		frac = frac[:6]
	}
	frac += strings.Repeat("0", 6-len(frac))
	var s, f int64
	if _, err := fmt.Sscanf(sec, "%d", &s); err != nil {
		return 0, false
	}
	if _, err := fmt.Sscanf(frac, "%d", &f); err != nil {
		return 0, false
	}
	return s*1e6 + f, true
}

func (s *Server) findMessageLocked(channel, ts string) *storedMessage {
	for _, m := range s.messages[channel] {
		if m.TS == ts && !m.deleted {
			return m
		}
	}
	return nil
}

func (s *Server) sortedMessagesLocked(channel string) []*storedMessage {
	ms := s.messages[channel]
	sort.SliceStable(ms, func(i, j int) bool {
		a, _ := parseTS(ms[i].TS)
		b, _ := parseTS(ms[j].TS)
		return a < b
	})
	return ms
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

func (s *Server) newIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08d", prefix, s.seq)
}
