// Package playground serves "bot try": a local web page that looks and behaves like a Slack DM with
// Reflect, backed by the in-process Slack emulator. Everything the page does goes through the
// emulator, so the bot sees exactly the Slack protocol it sees in production; the page never calls
// the bot's internals. Time travel moves the one offset clock the emulator, the store, the app and
// the due loop share.
package playground

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reflect-bot/reflect/internal/slackemu"
)

//go:embed static
var static embed.FS

// Clock is an offset clock: it runs at real speed from wherever it was last set, so rate limit
// buckets and trigger expiry still see time pass.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock starts a clock at start (the zero time means now).
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	if !start.IsZero() {
		c.offset = time.Until(start)
	}
	return c
}

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock to t; it only moves forward.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := time.Until(t); d > c.offset {
		c.offset = d
	}
}

// Person is someone in the seeded workspace the page can act as.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Config is what the playground needs from its host.
type Config struct {
	Emu    *slackemu.Server
	Clock  *Clock
	Team   string   // the team channel's ID: slash commands are run there
	People []Person // the first is "you"
	// Channels names the workspace's channels by ID, so the page shows <#C…> as #name.
	Channels map[string]string
	// NextDue is the person's next scheduled prompt (false when none is scheduled).
	NextDue func(ctx context.Context, userID string) (time.Time, bool, error)
	// Tick runs the due loop at the clock's time, wakes the sender and waits for the posts; the
	// seeded people other than actor (the person the page acts as) then answer what came, as a
	// real team would.
	Tick func(ctx context.Context, actor string) error
	// AnswerFor answers the person's open prompts on their behalf and returns when each answered
	// prompt was sent (nil: End of month leaves them open).
	AnswerFor func(ctx context.Context, userID string) ([]time.Time, error)
	// LastAnswer is when the person last answered a prompt (false when never), so the page can
	// say which answer covered a week that got no prompt (nil: it does not say when).
	LastAnswer func(ctx context.Context, userID string) (time.Time, bool, error)
	// Token is this run's secret: only a request that carries it (the page's URL, then a
	// cookie, or the X-Reflect-Token header) is served. Empty: New makes a random one.
	Token string
}

// Server is the playground's HTTP server.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	timeMu sync.Mutex // one time jump at a time
	// stateWait bounds how long a state request waits for a change.
	stateWait time.Duration
	// seq numbers the snapshots in the order they were taken, so the page can drop an answer
	// that was overtaken by a later one.
	seq atomic.Int64
}

// New builds the playground's handler.
func New(cfg Config) *Server {
	if cfg.Token == "" {
		cfg.Token = NewToken()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), stateWait: 15 * time.Second}
	sub, _ := fs.Sub(static, "static")
	s.mux.Handle("GET /", http.FileServerFS(sub))
	s.mux.HandleFunc("GET /api/state", s.state)
	s.mux.HandleFunc("POST /api/send", s.send)
	s.mux.HandleFunc("POST /api/click", s.click)
	s.mux.HandleFunc("POST /api/submit", s.submit)
	s.mux.HandleFunc("POST /api/close", s.closeView)
	s.mux.HandleFunc("POST /api/home", s.home)
	s.mux.HandleFunc("POST /api/time", s.time)
	s.mux.HandleFunc("GET /files/{id}", s.file)
	return s
}

// NewToken returns a random secret for one run of the playground.
func NewToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Token is the run's secret; PageURL puts it in the address to open.
func (s *Server) Token() string { return s.cfg.Token }

// PageURL is the address of the page for a listener at addr, with the run's token.
func (s *Server) PageURL(addr net.Addr) string {
	return "http://" + addr.String() + "/?" + tokenParam + "=" + url.QueryEscape(s.cfg.Token)
}

// The names the token travels under.
const (
	tokenParam  = "token"
	tokenCookie = "reflect_try"
	tokenHeader = "X-Reflect-Token"
)

// ServeHTTP serves the page and its API to the person who started "bot try", and to no web page
// they happen to visit meanwhile: the playground can act as anyone in its workspace.
//
//   - Host must name this machine's loopback (localhost, 127.0.0.1, [::1]) and the port the
//     request came in on, so a DNS-rebinding page, whose requests carry its own host name, is
//     refused.
//   - Every request must carry the run's token: in the page's address (which sets a SameSite=Strict,
//     HttpOnly cookie), in that cookie, or in the X-Reflect-Token header. Another site's page can
//     send none of them.
//   - A request that changes anything (not GET or HEAD) must also be JSON, not a form or
//     text/plain body a cross-site page can send without asking, and come from this page's own
//     origin when the browser says where it comes from (Origin, Sec-Fetch-Site).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !hostAllowed(r) {
		httpError(w, http.StatusMisdirectedRequest, "this playground answers only http://127.0.0.1 or http://localhost on its own port")
		return
	}
	if !s.authorised(w, r) {
		httpError(w, http.StatusForbidden, `open the address "bot try" printed (it carries this run's token)`)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
			httpError(w, http.StatusUnsupportedMediaType, "requests that change something must be application/json")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
			httpError(w, http.StatusForbidden, "cross-origin request refused")
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
			httpError(w, http.StatusForbidden, "cross-site request refused")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// hostAllowed reports whether r's Host is a loopback name or address with the port r came in on.
func hostAllowed(r *http.Request) bool {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		return false
	}
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
	default:
		return false
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	_, own, err := net.SplitHostPort(local.String())
	return err == nil && port == own
}

// authorised reports whether r carries the run's token, and when it came in the address, keeps it
// in a cookie for the page's own requests.
func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	same := func(v string) bool {
		return v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(s.cfg.Token)) == 1
	}
	if same(r.URL.Query().Get(tokenParam)) {
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: s.cfg.Token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode})
		return true
	}
	if c, err := r.Cookie(tokenCookie); err == nil && same(c.Value) {
		return true
	}
	return same(r.Header.Get(tokenHeader))
}

// Serve serves on ln until ctx is done.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Requests live in ctx, so the state requests waiting for a change end with the server.
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

type fileJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Size  int    `json:"size"`
	Image bool   `json:"image"` // shown as a picture; any other file as a file to download
	URL   string `json:"url"`
	// Download is the address that saves the file under its name instead of showing it.
	Download string `json:"download"`
}

type messageJSON struct {
	Channel   string          `json:"channel"`
	TS        string          `json:"ts"`
	User      string          `json:"user,omitempty"`
	Bot       bool            `json:"bot"`
	Text      string          `json:"text"`
	Blocks    json.RawMessage `json:"blocks,omitempty"`
	Files     []fileJSON      `json:"files"`
	Edited    bool            `json:"edited"`
	Ephemeral bool            `json:"ephemeral"`
}

type viewJSON struct {
	ID     string            `json:"id"`
	Title  string            `json:"title"`
	Submit string            `json:"submit,omitempty"`
	Close  string            `json:"close,omitempty"`
	Blocks json.RawMessage   `json:"blocks"`
	Errors map[string]string `json:"errors,omitempty"`
}

type stateJSON struct {
	Version string    `json:"version,omitempty"`
	Seq     int64     `json:"seq"`
	Now     time.Time `json:"now"`
	User    string    `json:"user"`
	People  []Person  `json:"people"`
	// Channels names channels by ID for mentions.
	Channels map[string]string `json:"channels"`
	DM       []messageJSON     `json:"dm"`
	Views    []viewJSON        `json:"views"`
	Home     json.RawMessage   `json:"home"`
	HomeID   string            `json:"home_id,omitempty"`
}

func toMessage(m slackemu.Message) messageJSON {
	out := messageJSON{Channel: m.Channel, TS: m.TS, User: m.User, Bot: m.BotID != "", Text: m.Text,
		Blocks: m.Blocks, Files: []fileJSON{}, Edited: m.Edited, Ephemeral: m.Ephemeral}
	for _, f := range m.Files {
		name := f.Name
		if name == "" {
			name = f.Title
		}
		u := "/files/" + url.PathEscape(f.ID)
		out.Files = append(out.Files, fileJSON{ID: f.ID, Name: name, Size: f.Size, Image: isImageName(name),
			URL: u, Download: u + "?download=1"})
	}
	return out
}

func (s *Server) user(id string) (string, bool) {
	if id == "" && len(s.cfg.People) > 0 {
		return s.cfg.People[0].ID, true
	}
	for _, p := range s.cfg.People {
		if p.ID == id {
			return id, true
		}
	}
	return "", false
}

// state answers GET /api/state?user=U: what the person sees. With after=V, the version of the
// state the page shows, it waits until the state differs from V (or stateWait has passed), so the
// page sees the bot's posts and updates as they happen without polling.
func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	user, ok := s.user(r.URL.Query().Get("user"))
	if !ok {
		httpError(w, http.StatusBadRequest, "unknown user")
		return
	}
	st := s.snapshot(user)
	if after := r.URL.Query().Get("after"); after != "" && after == st.Version {
		ctx, cancel := context.WithTimeout(r.Context(), s.stateWait)
		defer cancel()
		// Every Web API call the bot makes and everything a person does wakes the wait. At the
		// deadline (or shutdown) st is the latest snapshot, unchanged: the page simply asks again.
		_ = s.cfg.Emu.WaitFor(ctx, func() bool {
			st = s.snapshot(user)
			return st.Version != after
		})
	}
	writeJSON(w, st)
}

// snapshot is what user sees now, with a version that changes whenever anything but the clock does
// and a sequence number.
func (s *Server) snapshot(user string) stateJSON {
	st := stateJSON{User: user, People: s.cfg.People, Channels: s.cfg.Channels, DM: []messageJSON{}, Views: []viewJSON{}}
	if st.Channels == nil {
		st.Channels = map[string]string{}
	}
	for _, m := range s.cfg.Emu.DMs(user) {
		st.DM = append(st.DM, toMessage(m))
	}
	// Replies to slash commands are ephemeral messages in the team channel, seen only by the
	// person: they are shown in the conversation too.
	for _, m := range s.cfg.Emu.Messages(s.cfg.Team) {
		if m.Ephemeral && m.To == user {
			st.DM = append(st.DM, toMessage(m))
		}
	}
	sort.SliceStable(st.DM, func(i, j int) bool { return tsLess(st.DM[i].TS, st.DM[j].TS) })
	for _, v := range s.cfg.Emu.Views(user) {
		if v.Type != "modal" {
			continue
		}
		st.Views = append(st.Views, viewJSON{ID: v.ID, Title: v.Title, Submit: v.Submit, Close: v.Close, Blocks: v.Blocks, Errors: v.Errors})
	}
	if h := s.cfg.Emu.Home(user); h != nil {
		st.Home, st.HomeID = h.Blocks, h.ID
	}
	b, _ := json.Marshal(st)
	sum := fnv.New64a()
	_, _ = sum.Write(b)
	st.Version = strconv.FormatUint(sum.Sum64(), 36)
	st.Seq = s.seq.Add(1)
	st.Now = s.cfg.Clock.Now()
	return st
}

// tsLess orders Slack timestamps ("seconds.micros").
func tsLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		httpError(w, http.StatusBadRequest, "bad request: "+err.Error())
		return false
	}
	return true
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	var req struct{ User, Text string }
	if !decode(w, r, &req) {
		return
	}
	user, ok := s.user(req.User)
	text := strings.TrimSpace(req.Text)
	if !ok || text == "" {
		httpError(w, http.StatusBadRequest, "a known user and some text are needed")
		return
	}
	if text == "/reflect" || strings.HasPrefix(text, "/reflect ") {
		s.cfg.Emu.SlashCommand(user, s.cfg.Team, strings.TrimSpace(strings.TrimPrefix(text, "/reflect")))
		writeJSON(w, map[string]any{"ok": true})
		return
	}
	ts := s.cfg.Emu.SendDM(user, text)
	writeJSON(w, map[string]any{"ok": true, "ts": ts})
}

func (s *Server) click(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User, Channel, TS, Value string
		ViewID                   string `json:"view_id"`
		ActionID                 string `json:"action_id"`
		Select                   bool
	}
	if !decode(w, r, &req) {
		return
	}
	user, ok := s.user(req.User)
	if !ok || req.ActionID == "" {
		httpError(w, http.StatusBadRequest, "a known user and an action_id are needed")
		return
	}
	var err error
	switch {
	case req.ViewID != "" && req.Select:
		err = s.cfg.Emu.SelectInView(user, req.ViewID, req.ActionID, req.Value)
	case req.ViewID != "":
		err = s.cfg.Emu.ClickInView(user, req.ViewID, req.ActionID)
	case req.Select:
		err = s.cfg.Emu.Select(user, req.Channel, req.TS, req.ActionID, req.Value)
	default:
		err = s.cfg.Emu.Click(user, req.Channel, req.TS, req.ActionID)
	}
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, map[string]any{"ok": true})
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User   string
		ViewID string `json:"view_id"`
		Values map[string]map[string]string
	}
	if !decode(w, r, &req) {
		return
	}
	user, ok := s.user(req.User)
	if !ok || req.ViewID == "" {
		httpError(w, http.StatusBadRequest, "a known user and a view_id are needed")
		return
	}
	ack, err := s.cfg.Emu.SubmitView(user, req.ViewID, req.Values)
	if re, ok := errors.AsType[*slackemu.RequiredError](err); ok {
		// As in Slack, the page marks the empty required fields; nothing reached the bot.
		writeJSON(w, map[string]any{"ok": true, "ack": map[string]any{"response_action": "errors", "errors": re.Notes()}})
		return
	}
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, map[string]any{"ok": true, "ack": ack})
}

func (s *Server) closeView(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User   string
		ViewID string `json:"view_id"`
	}
	if !decode(w, r, &req) {
		return
	}
	user, ok := s.user(req.User)
	if !ok {
		httpError(w, http.StatusBadRequest, "unknown user")
		return
	}
	if err := s.cfg.Emu.CloseView(user, req.ViewID); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, map[string]any{"ok": true})
}

// home is the person opening the Home tab: an app_home_opened event, as Slack sends.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	var req struct{ User string }
	if !decode(w, r, &req) {
		return
	}
	user, ok := s.user(req.User)
	if !ok {
		httpError(w, http.StatusBadRequest, "unknown user")
		return
	}
	s.cfg.Emu.OpenHome(user)
	writeJSON(w, map[string]any{"ok": true})
}

// time advances the clock: "next-prompt" to just after the person's next prompt that brings
// something (a week covered by an answer given ahead brings nothing: the answer says so and moves
// on), "end-of-month" prompt by prompt until the first prompt of next month (which brings the
// summary of this one) has been sent, answering the person's prompts on the way on their behalf.
// The answer's notes say what happened that the conversation does not show.
func (s *Server) time(w http.ResponseWriter, r *http.Request) {
	var req struct{ User, To string }
	if !decode(w, r, &req) {
		return
	}
	user, ok := s.user(req.User)
	if !ok {
		httpError(w, http.StatusBadRequest, "unknown user")
		return
	}
	s.timeMu.Lock()
	defer s.timeMu.Unlock()
	ctx := r.Context()
	var (
		notes []string
		err   error
	)
	switch req.To {
	case "next-prompt":
		_, notes, err = s.nextPrompt(ctx, user)
	case "end-of-month":
		notes, err = s.endOfMonth(ctx, user)
	default:
		httpError(w, http.StatusBadRequest, `"to" must be "next-prompt" or "end-of-month"`)
		return
	}
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if notes == nil {
		notes = []string{}
	}
	writeJSON(w, map[string]any{"ok": true, "now": s.cfg.Clock.Now(), "notes": notes})
}

// coveredSteps bounds how many weeks in a row Next prompt skips when they bring nothing.
const coveredSteps = 4

// nextPrompt moves to one minute after the person's next prompt and runs the due loop, again while
// a week brings the person nothing (an answer given ahead covered it), each such week noted. It
// returns the time the last prompt was due (zero when none was scheduled).
func (s *Server) nextPrompt(ctx context.Context, user string) (time.Time, []string, error) {
	var notes []string
	for range coveredSteps {
		due, ok, err := s.cfg.NextDue(ctx, user)
		if err != nil {
			return time.Time{}, notes, err
		}
		if !ok {
			return time.Time{}, notes, s.cfg.Tick(ctx, user)
		}
		before := s.botPosts(user)
		s.cfg.Clock.Set(due.Add(time.Minute))
		if err := s.cfg.Tick(ctx, user); err != nil {
			return due, notes, err
		}
		if s.botPosts(user) > before {
			return due, notes, nil
		}
		notes = append(notes, s.coveredNote(ctx, user, due))
	}
	due, _, err := s.cfg.NextDue(ctx, user)
	return due, notes, err
}

// coveredNote says why the week of due brought the person nothing.
func (s *Server) coveredNote(ctx context.Context, user string, due time.Time) string {
	week := "the week of " + day(due)
	if s.cfg.LastAnswer != nil {
		at, ok, err := s.cfg.LastAnswer(ctx, user)
		if err == nil && ok && !at.After(due) && due.Sub(at) < 7*24*time.Hour {
			return fmt.Sprintf("No prompt for %s: this week's prompt was covered by your answer on %s. Moved on to the next week that gets a prompt.",
				week, day(at))
		}
	}
	return fmt.Sprintf("No prompt for %s (nothing was due to you that week). Moved on to the next week that gets a prompt.", week)
}

// day names a date the way the page's notes do.
func day(t time.Time) string { return t.UTC().Format("Mon 2 Jan") }

// botPosts counts the bot's messages in the person's DM.
func (s *Server) botPosts(user string) int {
	n := 0
	for _, m := range s.cfg.Emu.DMs(user) {
		if m.BotID != "" && !m.Ephemeral {
			n++
		}
	}
	return n
}

// endOfMonth travels prompt by prompt to the first prompt of next month. A month of prompts
// nobody answered reads like nothing real (the summary scores it 0 of N and the bot pauses after
// unanswered prompts), and a new user pressing End of month wants to see a month's summary, so
// the person's prompts on the way are answered on their behalf (Next prompt is the way to answer
// each one yourself); the notes say so.
func (s *Server) endOfMonth(ctx context.Context, user string) ([]string, error) {
	now := s.cfg.Clock.Now().UTC()
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	var (
		notes, days []string
		count       int
	)
	answerOpen := func() error {
		if s.cfg.AnswerFor == nil {
			return nil
		}
		sent, err := s.cfg.AnswerFor(ctx, user)
		for _, t := range sent {
			if d := day(t); !slices.Contains(days, d) {
				days = append(days, d)
			}
		}
		count += len(sent)
		return err
	}
	for range 10 {
		if err := answerOpen(); err != nil {
			return notes, err
		}
		due, ns, err := s.nextPrompt(ctx, user)
		notes = append(notes, ns...)
		if err != nil {
			return notes, err
		}
		if due.IsZero() {
			return notes, fmt.Errorf("%s has no prompt scheduled: start with /reflect start", s.name(user))
		}
		if !due.Before(next) {
			if count > 0 {
				notes = append(notes, fmt.Sprintf("On the way to %s, %s answered on your behalf with made-up answers (sent %s), as the other seeded people answer theirs, so the month's summary has something to sum up. Use Next prompt to answer each prompt yourself.",
					next.Format("January"), plural(count, "of your prompts was", "of your prompts were"), list(days)))
			}
			return notes, nil
		}
	}
	return notes, errors.New("no prompt next month after 10 steps")
}

// list joins items as "a, b and c".
func list(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// plural is "1 one" or "n many".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// name is the person's name in the seeded workspace.
func (s *Server) name(user string) string {
	for _, p := range s.cfg.People {
		if p.ID == user {
			return p.Name
		}
	}
	return user
}

// file serves an uploaded file: shown in the page when it is a picture, saved under its name
// with ?download=1.
func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b, ok := s.cfg.Emu.File(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := http.DetectContentType(b)
	if strings.HasPrefix(string(b), "<svg") || strings.HasPrefix(string(b), "<?xml") {
		ct = "image/svg+xml"
	}
	if strings.HasPrefix(ct, "text/plain") && json.Valid(b) {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("download") != "" {
		name := id
		if f, ok := s.fileInfo(id); ok && f.Name != "" {
			name = f.Name
		}
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	_, _ = w.Write(b)
}

// fileInfo finds the file id among the messages the page can show.
func (s *Server) fileInfo(id string) (slackemu.File, bool) {
	for _, p := range s.cfg.People {
		for _, m := range s.cfg.Emu.DMs(p.ID) {
			for _, f := range m.Files {
				if f.ID == id {
					return f, true
				}
			}
		}
	}
	return slackemu.File{}, false
}

// isImageName reports whether a file's name says it is a picture the page can show.
func isImageName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg":
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": msg})
}
