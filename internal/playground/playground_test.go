package playground_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/playground"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

const waitLimit = 5 * time.Second

// newPlayground runs the real bot against the emulator on an offset clock, as "bot try" does,
// and serves the playground over httptest.
func newPlayground(t *testing.T) *httptest.Server {
	t.Helper()
	pg := newServer(t)
	// The tests drive the API as the page does; the token is added here. TestGuard checks what
	// happens without it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Reflect-Token", pg.Token())
		pg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newServer builds the playground newPlayground serves.
func newServer(t *testing.T) *playground.Server {
	t.Helper()
	clock := playground.NewClock(time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)) // a Wednesday
	emu := slackemu.New(slackemu.WithT(t), slackemu.WithClock(clock.Now), slackemu.WithPingInterval(100*time.Millisecond))
	t.Cleanup(emu.Close)
	people := []playground.Person{{ID: "U_YOU", Name: "You"}, {ID: "U_LEAD", Name: "Lead"}}
	members := []string{emu.BotUserID()}
	for _, p := range people {
		emu.AddUser(slackemu.User{ID: p.ID, Name: p.Name, RealName: p.Name, TZ: "Europe/London"})
		members = append(members, p.ID)
	}
	emu.AddChannel(slackemu.Channel{ID: "C_TEAM", Name: "team", Creator: "U_LEAD", Members: members})

	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), db.WithNow(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := schedule.ParseSpec("0 9 * * MON")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := slackapp.New(slackapp.Config{BotToken: emu.BotToken(), AppToken: emu.AppToken(), APIURL: emu.APIURL(),
		SlashCommand: "/reflect", PingInterval: 500 * time.Millisecond, DrainTimeout: 2 * time.Second, Now: clock.Now},
		store, store, log, slackapp.WithStateStore(store), slackapp.WithCallTimeout(time.Second), slackapp.WithOutboxRetry(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	planner := schedule.Planner{Default: spec, Catalogue: cat}
	loop := schedule.NewLoop(store, planner, clock.Now, log)
	loop.ReminderAfter = 48 * time.Hour
	loop.Notify = app.Notify
	loop.Stopped = app.SendingStopped
	results := app.RegisterResults(slackapp.Results{Store: store, Catalogue: cat, Planner: planner, Now: clock.Now})
	app.RegisterWeekly(slackapp.Weekly{Store: store, Catalogue: cat, Planner: planner, Now: clock.Now, Poke: loop.Poke, Changed: results.Changed})
	app.RegisterAssessment(slackapp.Assessment{Store: store, Catalogue: cat, Now: clock.Now, Changed: results.Changed})
	loop.Jobs = append(loop.Jobs, app.RegisterTeams(slackapp.Teams{Store: store, Catalogue: cat, Planner: planner, Now: clock.Now,
		MinRespondents: 3, Poke: loop.Poke, Changed: results.Changed}).MonthlyJob)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		_ = store.Close()
	})
	eventually(t, "connected", app.Connected)

	pg := playground.New(playground.Config{
		Emu: emu, Clock: clock, Team: "C_TEAM", People: people, Channels: map[string]string{"C_TEAM": "team"},
		AnswerFor: func(ctx context.Context, user string) ([]time.Time, error) {
			// The first option of every open prompt, as "bot try" answers (more varied) for you.
			var n []time.Time
			for _, m := range emu.DMs(user) {
				ids := openAnswers(m)
				if len(ids) == 0 {
					continue
				}
				if err := emu.Click(user, m.Channel, m.TS, ids[0]); err != nil {
					return n, err
				}
				ts := m.TS
				deadline := time.Now().Add(waitLimit)
				for stillOpen(emu, user, ts) {
					if time.Now().After(deadline) {
						return n, errors.New("the answer was not recorded")
					}
					time.Sleep(5 * time.Millisecond)
				}
				sec, _, _ := strings.Cut(ts, ".")
				unix, _ := strconv.ParseInt(sec, 10, 64)
				n = append(n, time.Unix(unix, 0))
			}
			return n, nil
		},
		LastAnswer: func(ctx context.Context, user string) (time.Time, bool, error) {
			as, err := store.RecentAnswers(ctx, user, 1)
			if err != nil || len(as) == 0 {
				return time.Time{}, false, err
			}
			return as[0].AnsweredAt, true, nil
		},
		NextDue: func(ctx context.Context, user string) (time.Time, bool, error) {
			p, err := store.Person(ctx, user)
			if errors.Is(err, db.ErrNotFound) || (err == nil && p.NextDueAt == nil) {
				return time.Time{}, false, nil
			}
			if err != nil {
				return time.Time{}, false, err
			}
			return *p.NextDueAt, true, nil
		},
		Tick: func(ctx context.Context, actor string) error {
			if _, err := loop.Tick(ctx); err != nil {
				return err
			}
			app.Notify()
			deadline := time.Now().Add(waitLimit)
			for {
				n, err := store.OutboxDepth(ctx)
				if err == nil && n == 0 {
					return nil
				}
				if time.Now().After(deadline) {
					return errors.New("outbox did not empty")
				}
				time.Sleep(5 * time.Millisecond)
			}
		},
	})
	return pg
}

// openAnswers are the answer buttons of a prompt in m that is still open.
func openAnswers(m slackemu.Message) []string {
	if m.BotID == "" || m.Ephemeral {
		return nil
	}
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	_ = json.Unmarshal(m.Blocks, &blocks)
	var ids []string
	for _, b := range blocks {
		for _, e := range b.Elements {
			if strings.HasPrefix(e.ActionID, "answer:") {
				ids = append(ids, e.ActionID)
			}
		}
	}
	return ids
}

func stillOpen(emu *slackemu.Server, user, ts string) bool {
	for _, m := range emu.DMs(user) {
		if m.TS == ts {
			return len(openAnswers(m)) > 0
		}
	}
	return false
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type message struct {
	Channel, TS, Text string
	Bot, Edited       bool
	Ephemeral         bool
	Blocks            []map[string]any
	Files             []struct {
		ID, Name, URL, Download string
		Size                    int
		Image                   bool
	}
}

type state struct {
	People   []playground.Person
	Channels map[string]string
	DM       []message
	Views    []struct {
		ID, Title string
		Blocks    []map[string]any
	}
	Home   json.RawMessage
	HomeID string `json:"home_id"`
}

func getState(t *testing.T, srv *httptest.Server, user string) state {
	t.Helper()
	res, err := http.Get(srv.URL + "/api/state?user=" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("state: %s", res.Status)
	}
	var st state
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func post(t *testing.T, srv *httptest.Server, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// actionIDs are the buttons of a message's actions blocks.
func actionIDs(m message) []string {
	var ids []string
	for _, b := range m.Blocks {
		if b["type"] != "actions" {
			continue
		}
		els, _ := b["elements"].([]any)
		for _, e := range els {
			if em, ok := e.(map[string]any); ok {
				id, _ := em["action_id"].(string)
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func TestPromptClickAndMonthlySummary(t *testing.T) {
	srv := newPlayground(t)
	if code, _ := post(t, srv, "/api/send", map[string]string{"user": "U_YOU", "text": "/reflect start"}); code != 200 {
		t.Fatalf("send start: %d", code)
	}
	eventually(t, "the reply to /reflect start", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			if m.Ephemeral && m.Bot {
				return true
			}
		}
		return false
	})
	post(t, srv, "/api/send", map[string]string{"user": "U_YOU", "text": "/reflect prompt"})
	var prompt message
	eventually(t, "a prompt with buttons", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			if !m.Ephemeral && m.Bot && len(actionIDs(m)) > 0 {
				prompt = m
				return true
			}
		}
		return false
	})
	answer := ""
	for _, id := range actionIDs(prompt) {
		if strings.HasPrefix(id, "answer") {
			answer = id
			break
		}
	}
	if answer == "" {
		t.Fatalf("no answer button in %v", actionIDs(prompt))
	}
	if code, out := post(t, srv, "/api/click", map[string]string{"user": "U_YOU", "channel": prompt.Channel, "ts": prompt.TS, "action_id": answer}); code != 200 {
		t.Fatalf("click: %d %v", code, out)
	}
	eventually(t, "the prompt updated in place with how it was read", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			if m.TS == prompt.TS {
				b, _ := json.Marshal(m.Blocks)
				return strings.Contains(string(b), "read as")
			}
		}
		return false
	})

	if code, out := post(t, srv, "/api/time", map[string]string{"user": "U_YOU", "to": "end-of-month"}); code != 200 {
		t.Fatalf("end of month: %d %v", code, out)
	}
	var chart string
	eventually(t, "the March summary with its chart", func() bool {
		summary := false
		for _, m := range getState(t, srv, "U_YOU").DM {
			if strings.HasPrefix(m.Text, "March 2026") {
				summary = true
			}
			for _, f := range m.Files {
				chart = f.URL
			}
		}
		return summary && chart != ""
	})
	res, err := http.Get(srv.URL + chart)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
		t.Fatalf("chart %s: %s %s", chart, res.Status, res.Header.Get("Content-Type"))
	}
}

func TestModalSubmitAndHome(t *testing.T) {
	srv := newPlayground(t)
	post(t, srv, "/api/send", map[string]string{"user": "U_YOU", "text": "/reflect assess"})
	var st state
	eventually(t, "the assessment modal", func() bool {
		st = getState(t, srv, "U_YOU")
		return len(st.Views) > 0
	})
	code, out := post(t, srv, "/api/submit", map[string]any{"user": "U_YOU", "view_id": st.Views[0].ID, "values": map[string]any{}})
	if ack, _ := out["ack"].(map[string]any); code != 200 || ack["errors"] == nil {
		t.Fatalf("empty submit: got %d %v, want 200 with the field errors of the ack", code, out)
	}
	// An empty submit is refused with field errors and the modal stays; Cancel closes it.
	if len(getState(t, srv, "U_YOU").Views) > 0 {
		if code, out := post(t, srv, "/api/close", map[string]string{"user": "U_YOU", "view_id": st.Views[0].ID}); code != 200 {
			t.Fatalf("close: %d %v", code, out)
		}
	}
	if n := len(getState(t, srv, "U_YOU").Views); n != 0 {
		t.Fatalf("got %d open modals after close, want 0", n)
	}
	post(t, srv, "/api/home", map[string]string{"user": "U_LEAD"})
	eventually(t, "the lead's Home tab", func() bool { return len(getState(t, srv, "U_LEAD").Home) > 4 })

	// A button on the Home tab (opening the assessment) works through block_actions on the home view.
	post(t, srv, "/api/home", map[string]string{"user": "U_YOU"})
	var homeID, action string
	eventually(t, "your Home tab with a button", func() bool {
		st := getState(t, srv, "U_YOU")
		var home []map[string]any
		_ = json.Unmarshal(st.Home, &home)
		if ids := actionIDs(message{Blocks: home}); len(ids) > 0 {
			homeID, action = st.HomeID, ids[0]
		}
		return homeID != ""
	})
	before := len(getState(t, srv, "U_YOU").Views)
	if code, out := post(t, srv, "/api/click", map[string]string{"user": "U_YOU", "view_id": homeID, "action_id": action}); code != 200 {
		t.Fatalf("click on Home: %d %v", code, out)
	}
	eventually(t, "a modal from the Home tab", func() bool { return len(getState(t, srv, "U_YOU").Views) > before })
}

func TestPageAndBadRequests(t *testing.T) {
	srv := newPlayground(t)
	for _, path := range []string{"/", "/app.js", "/style.css"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(b) == 0 {
			t.Errorf("%s: %s", path, res.Status)
		}
		if path == "/" && !strings.Contains(string(b), "Reflect playground") {
			t.Errorf("/ is not the playground page")
		}
	}
	if res, _ := http.Get(srv.URL + "/api/state?user=U_NOBODY"); res.StatusCode != 400 {
		t.Errorf("unknown user: %s", res.Status)
	}
	if code, _ := post(t, srv, "/api/time", map[string]string{"user": "U_YOU", "to": "yesterday"}); code != 400 {
		t.Errorf("bad time: %d", code)
	}
	if code, _ := post(t, srv, "/api/click", map[string]string{"user": "U_YOU", "channel": "D1", "ts": "1.2", "action_id": "nope"}); code != 400 {
		t.Errorf("click on nothing: %d", code)
	}
	if res, _ := http.Get(srv.URL + "/files/F_NONE"); res.StatusCode != 404 {
		t.Errorf("missing file: %s", res.Status)
	}
}

// TestStateWaitsForAChange: a state request with after= the current version waits until the
// state changes and then answers at once with the new state; any other version answers at once.
func TestStateWaitsForAChange(t *testing.T) {
	srv := newPlayground(t)
	version := func(query string) (string, time.Duration) {
		t.Helper()
		start := time.Now()
		res, err := http.Get(srv.URL + "/api/state?user=U_YOU" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var st struct{ Version string }
		if err := json.NewDecoder(res.Body).Decode(&st); err != nil || st.Version == "" {
			t.Fatalf("state: %v, version %q", err, st.Version)
		}
		return st.Version, time.Since(start)
	}
	v1, _ := version("")
	if v, took := version("&after=stale"); v != v1 || took > waitLimit/2 {
		t.Fatalf("after a stale version: got %s in %s, want %s at once", v, took, v1)
	}
	done := make(chan string, 1)
	go func() {
		v, _ := version("&after=" + v1)
		done <- v
	}()
	select {
	case v := <-done:
		t.Fatalf("answered %s before anything changed", v)
	case <-time.After(200 * time.Millisecond):
	}
	post(t, srv, "/api/send", map[string]string{"user": "U_YOU", "text": "hello"})
	select {
	case v2 := <-done:
		if v2 == v1 {
			t.Fatalf("got version %s again after a DM", v2)
		}
	case <-time.After(waitLimit):
		t.Fatal("the waiting request did not answer after a DM")
	}
}

// TestGuard: only the person who started the playground can drive it. A request without the
// run's token, with a foreign Host (DNS rebinding), or a cross-site POST (text/plain, or from
// another origin) is refused and changes nothing; the page's address sets the cookie that the
// page's own requests then carry.
func TestGuard(t *testing.T) {
	pg := newServer(t)
	srv := httptest.NewServer(pg)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	page := pg.PageURL(srv.Listener.Addr())
	send := `{"user":"U_YOU","text":"/reflect stop"}`
	tests := []struct {
		name     string
		method   string
		path     string
		host     string
		header   map[string]string
		body     string
		wantCode int
	}{
		{"page without the token", "GET", "/", "", nil, "", http.StatusForbidden},
		{"state without the token", "GET", "/api/state?user=U_YOU", "", nil, "", http.StatusForbidden},
		{"page with the token", "GET", "/?token=" + url.QueryEscape(pg.Token()), "", nil, "", http.StatusOK},
		{"page with a wrong token", "GET", "/?token=guess", "", nil, "", http.StatusForbidden},
		{"cross-site text/plain POST", "POST", "/api/send", "",
			map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, send, http.StatusForbidden},
		{"text/plain POST with the token", "POST", "/api/send", "",
			map[string]string{"Content-Type": "text/plain", "X-Reflect-Token": pg.Token()}, send, http.StatusUnsupportedMediaType},
		{"JSON POST with the token from another origin", "POST", "/api/send", "",
			map[string]string{"Content-Type": "application/json", "X-Reflect-Token": pg.Token(), "Origin": "https://evil.example"}, send, http.StatusForbidden},
		{"JSON POST with the token, cross-site", "POST", "/api/send", "",
			map[string]string{"Content-Type": "application/json", "X-Reflect-Token": pg.Token(), "Sec-Fetch-Site": "cross-site"}, send, http.StatusForbidden},
		{"foreign Host with the token", "GET", "/api/state?user=U_YOU", "evil.example:" + port,
			map[string]string{"X-Reflect-Token": pg.Token()}, "", http.StatusMisdirectedRequest},
		{"loopback Host on another port", "GET", "/api/state?user=U_YOU", "127.0.0.1:1",
			map[string]string{"X-Reflect-Token": pg.Token()}, "", http.StatusMisdirectedRequest},
		{"localhost with the token", "GET", "/api/state?user=U_YOU", "localhost:" + port,
			map[string]string{"X-Reflect-Token": pg.Token()}, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.wantCode {
				t.Errorf("got %s, want %d", res.Status, tt.wantCode)
			}
		})
	}
	// None of the refused sends ran: U_YOU is still enrolled, as /reflect start left them.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(page)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", page, res, err)
	}
	res.Body.Close()
	res, err = client.Get(srv.URL + "/api/state?user=U_YOU")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("state with the page's cookie: %v %v", res, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(b), "stopped") || strings.Contains(string(b), "won't send") {
		t.Errorf("a refused request ran /reflect stop: %.300s", b)
	}
}

// startAndPrompt enrols U_YOU, asks for a prompt and answers it with its first option; it returns
// the prompt.
func startAndPrompt(t *testing.T, srv *httptest.Server, answer bool) message {
	t.Helper()
	post(t, srv, "/api/send", map[string]string{"user": "U_YOU", "text": "/reflect start"})
	eventually(t, "the reply to /reflect start", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			if m.Ephemeral && m.Bot {
				return true
			}
		}
		return false
	})
	post(t, srv, "/api/send", map[string]string{"user": "U_YOU", "text": "/reflect prompt"})
	var prompt message
	eventually(t, "a prompt with buttons", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			if !m.Ephemeral && m.Bot && len(actionIDs(m)) > 0 {
				prompt = m
				return true
			}
		}
		return false
	})
	if !answer {
		return prompt
	}
	for _, id := range actionIDs(prompt) {
		if strings.HasPrefix(id, "answer:") {
			if code, out := post(t, srv, "/api/click", map[string]string{"user": "U_YOU", "channel": prompt.Channel, "ts": prompt.TS, "action_id": id}); code != 200 {
				t.Fatalf("click: %d %v", code, out)
			}
			eventually(t, "the answer recorded", func() bool {
				for _, m := range getState(t, srv, "U_YOU").DM {
					if m.TS == prompt.TS {
						b, _ := json.Marshal(m.Blocks)
						return strings.Contains(string(b), "read as")
					}
				}
				return false
			})
			return prompt
		}
	}
	t.Fatalf("no answer button in %v", actionIDs(prompt))
	return prompt
}

// TestNextPromptCoveredWeek: Next prompt after answering a /reflect prompt in the same week says
// that week was covered by that answer and goes on to the next week, whose prompt arrives.
func TestNextPromptCoveredWeek(t *testing.T) {
	srv := newPlayground(t)
	startAndPrompt(t, srv, true) // Wed 25 Mar
	before := len(getState(t, srv, "U_YOU").DM)
	code, out := post(t, srv, "/api/time", map[string]string{"user": "U_YOU", "to": "next-prompt"})
	if code != 200 {
		t.Fatalf("next prompt: %d %v", code, out)
	}
	notes, _ := out["notes"].([]any)
	if len(notes) != 1 || !strings.Contains(notes[0].(string), "the week of Mon 30 Mar: this week's prompt was covered by your answer on Wed 25 Mar") {
		t.Errorf("notes %v, want the week of 30 March named as covered by the answer of 25 March", notes)
	}
	if now, _ := out["now"].(string); !strings.HasPrefix(now, "2026-04-06T") {
		t.Errorf("the clock is at %s, want Monday 6 April (the next week that gets a prompt)", now)
	}
	st := getState(t, srv, "U_YOU")
	if len(st.DM) <= before {
		t.Fatalf("Next prompt brought nothing: %d messages before and after", before)
	}
	if !slices.ContainsFunc(st.DM[before:], func(m message) bool { return m.Bot && len(actionIDs(m)) > 0 }) {
		t.Errorf("want the prompt of 6 April in the DM, got %+v", st.DM[before:])
	}
}

// TestEndOfMonthAnswersForYou: End of month with nothing answered answers your prompts on the way
// on your behalf and says so, so the month's summary has answers and no pause notice comes. (The
// open prompt of 25 March, answered, covers the week of 30 March, so the next prompt is April's.)
func TestEndOfMonthAnswersForYou(t *testing.T) {
	srv := newPlayground(t)
	startAndPrompt(t, srv, false) // left open: it is answered on the way too
	code, out := post(t, srv, "/api/time", map[string]string{"user": "U_YOU", "to": "end-of-month"})
	if code != 200 {
		t.Fatalf("end of month: %d %v", code, out)
	}
	notes, _ := out["notes"].([]any)
	joined := ""
	for _, n := range notes {
		joined += n.(string) + "\n"
	}
	if !strings.Contains(joined, "1 of your prompts was answered on your behalf") || !strings.Contains(joined, "(sent Wed 25 Mar)") ||
		!strings.Contains(joined, "Next prompt") {
		t.Errorf("notes %q, want them to say your prompts were answered on your behalf and how to answer yourself", joined)
	}
	var summary string
	eventually(t, "the March summary", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			if strings.HasPrefix(m.Text, "March 2026") {
				summary = m.Text
				return true
			}
		}
		return false
	})
	if strings.Contains(summary, "Answered 0 of") {
		t.Errorf("the summary scores an empty month: %q", summary)
	}
	open := 0
	for _, m := range getState(t, srv, "U_YOU").DM {
		if strings.Contains(strings.ToLower(m.Text), "paused") {
			t.Errorf("a pause notice came: %q", m.Text)
		}
		if !m.Ephemeral && m.Bot && len(actionIDs(m)) > 0 && slices.ContainsFunc(actionIDs(m), func(id string) bool { return strings.HasPrefix(id, "answer:") }) {
			open++
		}
	}
	if open != 1 {
		t.Errorf("%d open prompts, want only April's first", open)
	}
}

// TestStateNamesChannelsAndFiles: the state names channels for mentions and says of each file its
// size and whether it is a picture; ?download=1 saves it under its name.
func TestStateNamesChannelsAndFiles(t *testing.T) {
	srv := newPlayground(t)
	startAndPrompt(t, srv, true)
	post(t, srv, "/api/time", map[string]string{"user": "U_YOU", "to": "end-of-month"})
	var chart struct {
		ID, Name, URL, Download string
		Size                    int
		Image                   bool
	}
	eventually(t, "the chart", func() bool {
		for _, m := range getState(t, srv, "U_YOU").DM {
			for _, f := range m.Files {
				chart = f
				return true
			}
		}
		return false
	})
	if st := getState(t, srv, "U_YOU"); st.Channels["C_TEAM"] != "team" {
		t.Errorf("channels %v, want C_TEAM named team", st.Channels)
	}
	if !chart.Image || chart.Size <= 0 || chart.Name == "" || chart.Download != chart.URL+"?download=1" {
		t.Errorf("chart %+v: want a named picture with its size and a download address", chart)
	}
	res, err := http.Get(srv.URL + chart.Download)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || len(b) != chart.Size ||
		!strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, chart.Name) {
		t.Errorf("download: %s, %d bytes (want %d), Content-Disposition %q", res.Status, len(b), chart.Size, cd)
	}
}
