package app

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// testClock is the one clock of a simulation: the emulator, the store, the app and the due loop
// all read it, and the test moves it. It runs at real speed from wherever it was set, so rate
// limit buckets and trigger expiry still see time pass.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func newTestClock(start time.Time) *testClock { return &testClock{offset: time.Until(start)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

// sim is the bot's weekly prompts running against the emulator on a simulated clock. The app can
// be stopped and started again on the same database, as a restart would.
type sim struct {
	t       testing.TB
	clock   *testClock
	emu     *slackemu.Server
	dbPath  string
	store   *db.Store
	app     *slackapp.App
	loop    *schedule.Loop
	cat     *prompts.Catalogue
	planner schedule.Planner
	logs    *testkit.LogBuffer
	stop    func()

	edits, deletes int // typed answers edited and deleted so far
}

func newSim(t testing.TB, start time.Time, users ...slackemu.User) *sim {
	t.Helper()
	clock := newTestClock(start)
	// The token has only the scopes the manifest requests, as an installed app would.
	emu := slackemu.New(slackemu.WithT(t), slackemu.WithClock(clock.Now), slackemu.WithPingInterval(100*time.Millisecond),
		slackemu.WithScopes(manifestScopes(t)...))
	t.Cleanup(emu.Close)
	for _, u := range users {
		emu.AddUser(u)
	}
	emu.AddChannel(slackemu.Channel{ID: "C1", Name: "leads", Creator: users[0].ID, Members: []string{users[0].ID, emu.BotUserID()}})
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := schedule.ParseSpec("0 9 * * MON")
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{t: t, clock: clock, emu: emu, dbPath: testkit.DatabaseURL(t), cat: cat,
		planner: schedule.Planner{Default: spec, Catalogue: cat}, logs: &testkit.LogBuffer{}}
	s.start()
	t.Cleanup(func() { s.stop() })
	return s
}

// start opens the store and runs a fresh App on it.
func (s *sim) start() {
	t := s.t
	t.Helper()
	store, err := db.Open(context.Background(), s.dbPath, db.WithNow(s.clock.Now))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cfg := config.Config{
		BotToken: config.Secret(s.emu.BotToken()), AppToken: config.Secret(s.emu.AppToken()), APIURL: s.emu.APIURL(),
		SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON", ReminderAfter: 48 * time.Hour, TeamMinRespondents: 3,
		RetentionMonths: 24,
	}
	// A busy -race run must not turn a slow call into an ambiguous one (its retry would wait for
	// the simulated clock) or a late ping into a reconnect: no test here times a call out.
	bot, err := New(cfg, testkit.NewLogger(s.logs), store, s.cat, s.clock.Now, slackapp.WithPingInterval(2*time.Second),
		slackapp.WithDrainTimeout(2*time.Second), slackapp.WithCallTimeout(5*time.Second), slackapp.WithOutboxRetry(50*time.Millisecond))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// The test moves the clock and runs the due loop itself (tick), so only the Slack runtime runs.
	app, loop := bot.Slack, bot.Loop
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	s.store, s.app, s.loop = store, app, loop
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Run did not return within %s", waitLimit)
		}
		_ = store.Close()
		testkit.AssertNotLogged(t, s.logs, s.emu.BotToken(), s.emu.AppToken())
	}
	s.eventually("connected", func() bool { return app.Connected() })
}

func (s *sim) restart() {
	s.stop()
	s.start()
}

func (s *sim) eventually(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("gave up waiting for %s; app stats %+v", what, s.app.Stats())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// settle waits until every queued post is sent.
func (s *sim) settle() {
	s.t.Helper()
	s.eventually("the outbox to empty", func() bool {
		n, err := s.store.OutboxDepth(context.Background())
		return err == nil && n == 0
	})
}

// tick runs the due loop at the current simulated time and waits for its posts.
func (s *sim) tick() int {
	s.t.Helper()
	n, err := s.loop.Tick(context.Background())
	if err != nil {
		s.t.Fatalf("tick: %v", err)
	}
	// The relay sleeps in real time until its next item is due; simulated time jumps past that.
	s.app.Notify()
	s.settle()
	return n
}

// command runs a slash command and returns the private reply.
func (s *sim) command(user, text string) string {
	s.t.Helper()
	before := len(s.ephemerals(user))
	s.emu.SlashCommand(user, "C1", text)
	s.eventually("the reply to /reflect "+text, func() bool { return len(s.ephemerals(user)) > before })
	return s.ephemerals(user)[before].Text
}

func (s *sim) ephemerals(user string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range s.emu.Messages("C1") {
		if m.Ephemeral && m.To == user {
			out = append(out, m)
		}
	}
	return out
}

// botDMs are the bot's messages in a person's DM, as they stand now.
func (s *sim) botDMs(user string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range s.emu.DMs(user) {
		if m.BotID != "" && !m.Ephemeral {
			out = append(out, m)
		}
	}
	return out
}

func (s *sim) message(user, ts string) slackemu.Message {
	s.t.Helper()
	for _, m := range s.emu.DMs(user) {
		if m.TS == ts {
			return m
		}
	}
	s.t.Fatalf("no message %s in %s's DM", ts, user)
	return slackemu.Message{}
}

// openDelivery is the person's newest open delivery and its prompt.
func (s *sim) openDelivery(user string) (db.Delivery, prompts.Prompt) {
	s.t.Helper()
	open, err := s.store.OpenDeliveries(context.Background(), user, 1)
	if err != nil || len(open) == 0 {
		s.t.Fatalf("no open delivery for %s: %v", user, err)
	}
	p, ok := s.cat.Prompt(open[0].PromptID)
	if !ok {
		s.t.Fatalf("prompt %s not in the catalogue", open[0].PromptID)
	}
	return open[0], p
}

func (s *sim) answers(user string) []db.Answer {
	s.t.Helper()
	a, err := s.store.RecentAnswers(context.Background(), user, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

// readAsCount counts the "read as …" phrases of a message's text and blocks.
func readAsPhrases(m slackemu.Message) []string {
	all := m.Text + string(m.Blocks)
	var got []string
	for _, p := range []string{"read as leadership", "read as management", "read as neutral", "read as wellbeing"} {
		if strings.Contains(all, p) {
			got = append(got, p)
		}
	}
	return got
}

// TestE2EWeeklyQuarter runs thirteen weeks on the simulated clock: three people in three zones
// answer by button, modal and typed DM; a fourth never answers; the bot is restarted along the
// way. Every occurrence is sent once, none is missed, and answers carry the right lean.
func TestE2EWeeklyQuarter(t *testing.T) {
	start := time.Date(2026, 2, 26, 12, 0, 0, 0, time.UTC) // a Thursday, before both 2026 DST changes
	users := []slackemu.User{
		{ID: "UA", Name: "ada", TZ: "America/New_York"},
		{ID: "UB", Name: "bo", TZ: "Europe/London"},
		{ID: "UC", Name: "cy", TZ: "Australia/Lord_Howe"},
		{ID: "UD", Name: "di", TZ: "Europe/London"},
	}
	s := newSim(t, start, users...)
	for _, u := range users {
		if got := s.command(u.ID, "start"); !strings.Contains(got, "You're in") {
			t.Fatalf("%s: got %q to start, want a welcome", u.ID, got)
		}
	}

	end := start.AddDate(0, 0, 7*13)
	// The occurrences each person is owed: Mondays 09:00 in their own zone.
	want := map[string][]time.Time{}
	for _, u := range users {
		for at := s.planner.Next("", u.TZ, start); at.Before(end); at = s.planner.Next("", u.TZ, at) {
			want[u.ID] = append(want[u.ID], at)
		}
	}

	restarts := map[int]bool{3: true, 7: true, 11: true}
	step := 0
	for now := start; now.Before(end); now = now.Add(time.Hour) {
		s.clock.Set(now)
		if s.tick() == 0 {
			continue
		}
		step++
		if restarts[step] {
			s.restart()
		}
		for _, u := range users[:3] {
			open, err := s.store.OpenDeliveries(context.Background(), u.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(open) == 0 || open[0].Occurrence.After(now) || now.Sub(open[0].Occurrence) >= time.Hour {
				continue // not this person's hour
			}
			s.answer(u.ID, step)
		}
	}

	for _, u := range users {
		var got []time.Time
		ds := s.scheduled(u.ID)
		for _, d := range ds {
			got = append(got, d.Occurrence)
		}
		w := want[u.ID]
		if u.ID == "UD" {
			w = w[:schedule.MaxUnanswered] // then the bot stops and asks
		}
		if !equalTimes(got, w) {
			t.Errorf("%s: got occurrences %v, want %v", u.ID, got, w)
		}
		for _, d := range ds {
			if d.TS == "" {
				t.Errorf("%s: delivery %d for %s was never posted", u.ID, d.ID, d.Occurrence)
			}
		}
	}
	// Di never answered: four prompts, reminders, then one question and silence.
	var asks int
	for _, m := range s.botDMs("UD") {
		if strings.Contains(m.Text, "haven't answered the last four prompts") {
			asks++
		}
	}
	if asks != 1 {
		t.Errorf("UD: got %d 'carry on?' questions, want 1", asks)
	}
	// Posts per person: one per delivery (the prompt with its wellbeing check in the same
	// message), plus typed-answer confirmations and reminders; no duplicates means no two posts
	// share an outbox id. Each delivery's check is in its prompt's message and in no other post.
	for _, u := range users {
		checks := map[string][]string{} // delivery id → the posts carrying its check
		for _, m := range s.botDMs(u.ID) {
			if m.Metadata != nil && strings.Contains(string(m.Blocks), `"block_id":"check_`) {
				id, _ := json.Marshal(m.Metadata.EventPayload["delivery_id"])
				checks[string(id)] = append(checks[string(id)], m.TS)
			}
		}
		for _, d := range s.scheduled(u.ID) {
			if d.WellbeingPromptID == "" || d.TS == "" {
				continue
			}
			if got := checks[strconv.FormatInt(d.ID, 10)]; len(got) != 1 || got[0] != d.TS {
				t.Errorf("%s: delivery %d's check is in posts %v, want in its prompt's message %s alone", u.ID, d.ID, got, d.TS)
			}
		}
		seen := map[string]bool{}
		for _, m := range s.botDMs(u.ID) {
			if len(m.Files) > 0 {
				continue // a summary's chart: shared by upload, found again by its file name
			}
			if m.Metadata == nil {
				t.Errorf("%s: bot message %s has no metadata", u.ID, m.TS)
				continue
			}
			id, _ := json.Marshal(m.Metadata.EventPayload["outbox_id"])
			if seen[string(id)] {
				t.Errorf("%s: outbox item %s posted twice", u.ID, id)
			}
			seen[string(id)] = true
		}
	}
	for _, u := range users[:3] {
		if got := len(s.answers(u.ID)); got < len(want[u.ID]) {
			t.Errorf("%s: got %d answers, want at least %d", u.ID, got, len(want[u.ID]))
		}
	}
	// The first prompt of each month brings the summary of the month before: February's (they
	// joined on the 26th), March's and April's. Di's prompts stopped in March, so only February's.
	for _, u := range users {
		var got []string
		charts := 0
		for _, m := range s.botDMs(u.ID) {
			if len(m.Files) > 0 {
				charts++
			}
			for _, month := range []string{"February 2026", "March 2026", "April 2026", "May 2026"} {
				if strings.HasPrefix(m.Text, month) {
					got = append(got, month)
				}
			}
		}
		want := []string{"February 2026", "March 2026", "April 2026"}
		if u.ID == "UD" {
			want = want[:1]
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got summaries %v, want %v", u.ID, got, want)
		}
		// February had no answers: its note comes without a chart.
		if u.ID != "UD" && charts != len(want)-1 {
			t.Errorf("%s: got %d charts, want %d", u.ID, charts, len(want)-1)
		}
	}
	sources := map[string]bool{}
	for _, u := range users[:3] {
		for _, a := range s.answers(u.ID) {
			sources[a.Source] = true
		}
	}
	if !sources["button"] || !sources["modal"] || !sources["dm"] || s.edits == 0 || s.deletes == 0 {
		t.Errorf("got answer sources %v, %d edits, %d deletions; want every way of answering exercised", sources, s.edits, s.deletes)
	}
	for _, u := range users {
		t.Logf("%s: %d scheduled deliveries, %d answers, %d bot posts", u.ID, len(s.scheduled(u.ID)), len(s.answers(u.ID)), len(s.botDMs(u.ID)))
	}
	t.Logf("%d due-loop rounds with work, %d chat.postMessage calls", step, s.emu.Calls("chat.postMessage"))
	testkit.AssertNotLogged(t, s.logs, "mentor", "coached")
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// scheduled returns a person's scheduled deliveries, oldest first.
func (s *sim) scheduled(user string) []db.Delivery {
	s.t.Helper()
	all, err := s.store.Deliveries(context.Background(), user)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []db.Delivery
	for _, d := range all {
		if d.Kind == db.DeliveryScheduled {
			out = append(out, d)
		}
	}
	return out
}

// answer has the person answer their open prompt: Ada taps, Bo uses the modal for text prompts,
// Cy types a DM for text prompts; options are tapped otherwise. Every other week Cy edits or
// deletes the typed answer. It checks the answer's lean and the message updated in place.
func (s *sim) answer(user string, step int) {
	t := s.t
	t.Helper()
	d, p := s.openDelivery(user)
	before := len(s.answers(user))
	var want prompts.Reading
	switch {
	case p.Kind != prompts.Text:
		opt := step % len(p.Options)
		r, err := s.cat.ReadOption(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		want = r
		if err := s.emu.Click(user, d.ChannelID, d.TS, actionAnswer+":"+strconv.Itoa(opt)); err != nil {
			t.Fatalf("%s: click: %v", user, err)
		}
	case user == "UC":
		text := "I mentored two people and shared the vision for next year"
		want = s.cat.ReadText(p, text)
		ts := s.emu.SendDM(user, text)
		s.eventually("the typed answer", func() bool { return len(s.answers(user)) > before })
		s.settle()
		// Change the answer by editing the DM, then take it back by deleting it, then answer again.
		edited := "Mostly I fixed the schedule and the budget"
		s.edits++
		s.emu.EditDM(user, ts, edited)
		s.eventually("the edit", func() bool {
			a := s.answers(user)
			return len(a) > before && a[0].Text == edited && a[0].Lean < 0
		})
		s.settle()
		s.deletes++
		s.emu.DeleteDM(user, ts)
		s.eventually("the deletion", func() bool { return len(s.answers(user)) == before })
		s.eventually("the prompt to open again", func() bool {
			return strings.Contains(s.message(user, d.TS).Text, "Your reflection for this week")
		})
		s.emu.SendDM(user, text)
	default:
		text := "I coached the team on our long-term strategy and encouraged some risk"
		if user == "UA" {
			text = "Kept the plan on schedule and checked the process"
		}
		want = s.cat.ReadText(p, text)
		if err := s.emu.Click(user, d.ChannelID, d.TS, actionAnswerText); err != nil {
			t.Fatalf("%s: click Answer: %v", user, err)
		}
		s.eventually("the modal", func() bool { return len(s.emu.Views(user)) > 0 })
		views := s.emu.Views(user)
		v := views[len(views)-1]
		if _, err := s.emu.SubmitView(user, v.ID, map[string]map[string]string{textBlockID: {textActionID: text}}); err != nil {
			t.Fatalf("%s: submit: %v", user, err)
		}
	}
	s.eventually("the answer to be stored", func() bool {
		a := s.answers(user)
		return len(a) > before && a[0].PromptID == p.ID && math.Abs(a[0].Lean-want.Lean) < 1e-9
	})
	s.eventually("the prompt to show the answer, read as "+want.Pole(), func() bool {
		got := readAsPhrases(s.message(user, d.TS))
		return len(got) == 1 && got[0] == want.Phrase()
	})
	s.settle()
}

// TestE2EWeeklyCommands drives the commands and buttons around the weekly prompt: bad input
// changes nothing, a personal slot and a pause move the next prompt, an answered on-demand prompt
// stands in for the next scheduled one, skip and remind-tomorrow work, and the "carry on?"
// question brings the prompts back.
func TestE2EWeeklyCommands(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC) // a Tuesday
	s := newSim(t, start, slackemu.User{ID: "UA", Name: "ada", TZ: "Europe/London"})
	person := func() db.Person {
		p, err := s.store.Person(context.Background(), "UA")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	if got := s.command("UA", "pause"); !strings.Contains(got, "not getting Reflect's weekly prompts") {
		t.Errorf("pause before start: got %q, want a note that they are not enrolled", got)
	}
	s.command("UA", "start")
	firstDue := *person().NextDueAt
	if want := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC); !firstDue.Equal(want) {
		t.Errorf("got first prompt at %s, want %s (Monday 09:00 London)", firstDue, want)
	}

	bad := []struct{ text, want string }{
		{"schedule funday 25:99", `"funday" is not a day: use mon, tue, wed, thu, fri, sat or sun; and "25:99" is not a time`},
		{"schedule tue 25:99", "is not a time"},
		{"schedule", "needs a day and a time"},
		{"pause 0", "whole number of weeks"},
		{"pause until 2026-02-30", "YYYY-MM-DD"},
		{"pause until 2026-03-01", "not in the future"},
		{"pause for a while", "use pause"},
		{"start now", "start takes nothing"},
	}
	for _, b := range bad {
		before := person()
		got := s.command("UA", b.text)
		verb, _, _ := strings.Cut(b.text, " ")
		if !strings.Contains(got, b.want) || !strings.Contains(got, "Usage: /reflect "+verb) {
			t.Errorf("/reflect %s: got %q, want an error containing %q and the usage of %s", b.text, got, b.want, verb)
		}
		if strings.Contains(got, "/reflect forget") {
			t.Errorf("/reflect %s: got %q, want that command's usage alone, not the whole help", b.text, got)
		}
		if after := person(); after.Slot != before.Slot || !after.NextDueAt.Equal(*before.NextDueAt) || after.PausedUntil != nil {
			t.Errorf("/reflect %s changed the person: %+v → %+v", b.text, before, after)
		}
	}

	// A personal slot: Wednesdays 07:15 in London.
	if got := s.command("UA", "schedule wed 07:15"); !strings.Contains(got, "Wednesdays at 07:15") {
		t.Errorf("got %q, want the new slot confirmed", got)
	}
	if got, want := *person().NextDueAt, time.Date(2026, 3, 4, 7, 15, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got next prompt at %s, want %s", got, want)
	}

	// Answering ahead: /reflect prompt, answered before Wednesday, stands in for it.
	s.command("UA", "prompt")
	s.settle()
	d, p := s.openDelivery("UA")
	if d.Kind != db.DeliveryOnDemand {
		t.Fatalf("got a %s delivery, want on_demand", d.Kind)
	}
	s.answerAny("UA", d, p)
	s.clock.Set(time.Date(2026, 3, 4, 7, 15, 30, 0, time.UTC))
	s.tick()
	if ds := s.scheduled("UA"); len(ds) != 1 || ds[0].State != "skipped" || ds[0].TS != "" {
		t.Fatalf("got scheduled deliveries %+v, want one skipped (answered ahead) and nothing posted", ds)
	}
	if got := s.command("UA", "history"); !strings.Contains(got, "Your last 1 answers") {
		t.Errorf("history: got %q, want the one answer", got)
	}

	// Next Wednesday: sent. Skip it.
	s.clock.Set(time.Date(2026, 3, 11, 7, 16, 0, 0, time.UTC))
	s.tick()
	d, _ = s.openDelivery("UA")
	if err := s.emu.Click("UA", d.ChannelID, d.TS, actionSkip); err != nil {
		t.Fatal(err)
	}
	s.eventually("the skip", func() bool { return strings.Contains(s.message("UA", d.TS).Text, "Skipped") })
	// Skipping the week's prompt leaves its wellbeing check answerable, in the same message.
	if check, ok := s.cat.Prompt(d.WellbeingPromptID); ok {
		option := s.cat.OptionOrder("UA", check)[0]
		if err := s.emu.Click("UA", d.ChannelID, d.TS, actionCheck+":"+itoa(option)); err != nil {
			t.Fatalf("the check after a skip: %v", err)
		}
		s.eventually("the check answered, the prompt still skipped", func() bool {
			m := s.message("UA", d.TS)
			return strings.Contains(m.Text, "Skipped") && strings.Contains(string(m.Blocks), "✓ "+jsonText(check.Options[option].Label))
		})
		if got, err := s.store.Delivery(context.Background(), "UA", d.ID); err != nil || got.State != db.DeliverySkipped {
			t.Errorf("after the check the delivery is %s (%v), want still skipped", got.State, err)
		}
	} else {
		t.Errorf("the week's delivery has no wellbeing check (%q)", d.WellbeingPromptID)
	}

	// Resume ends a pause, and says so when there is none.
	s.command("UA", "pause")
	if got := s.command("UA", "resume"); !strings.Contains(got, "Welcome back") {
		t.Errorf("resume while paused: got %q, want a welcome back", got)
	}
	if got := s.command("UA", "resume"); !strings.Contains(got, "You're not paused") || strings.Contains(got, "Welcome back") {
		t.Errorf("resume when not paused: got %q, want to be told they are not paused", got)
	}

	// Pause for two weeks: the 18th and 25th pass unsent; the 1st of April comes.
	if got := s.command("UA", "pause 2"); !strings.Contains(got, "Paused") {
		t.Errorf("got %q, want the pause confirmed", got)
	}
	for _, day := range []int{18, 25} {
		s.clock.Set(time.Date(2026, 3, day, 7, 16, 0, 0, time.UTC))
		s.tick()
	}
	if n := len(s.scheduled("UA")); n != 2 {
		t.Errorf("got %d scheduled deliveries after a two-week pause, want 2", n)
	}
	s.command("UA", "resume")                                 // the pause is over by now
	s.clock.Set(time.Date(2026, 4, 1, 6, 16, 0, 0, time.UTC)) // 07:16 BST
	s.tick()
	ds := s.scheduled("UA")
	if len(ds) != 3 || !ds[2].Occurrence.Equal(time.Date(2026, 4, 1, 6, 15, 0, 0, time.UTC)) {
		t.Fatalf("got %d deliveries, last %v; want the 1 April prompt at 07:15 London", len(ds), ds[len(ds)-1].Occurrence)
	}

	// Remind me tomorrow: one reminder a day later, and no automatic one on top.
	d = ds[2]
	if err := s.emu.Click("UA", d.ChannelID, d.TS, actionRemind); err != nil {
		t.Fatal(err)
	}
	s.eventually("the promise", func() bool {
		for _, m := range s.emu.DMs("UA") {
			if m.Ephemeral && strings.Contains(m.Text, "nudge you about it") {
				return true
			}
		}
		return false
	})
	posts := len(s.botDMs("UA"))
	s.clock.Set(time.Date(2026, 4, 2, 6, 17, 0, 0, time.UTC))
	s.tick()
	s.eventually("the reminder", func() bool { return len(s.botDMs("UA")) == posts+1 })
	s.clock.Set(time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC))
	s.tick()
	if got := len(s.botDMs("UA")); got != posts+1 {
		t.Errorf("got %d posts, want %d: one reminder only", got, posts+1)
	}

	if got := s.command("UA", "stop"); !strings.Contains(got, "no more weekly prompts") {
		t.Errorf("got %q, want the stop confirmed", got)
	}
	s.clock.Set(time.Date(2026, 4, 8, 8, 0, 0, 0, time.UTC))
	if n := s.tick(); n != 0 {
		t.Errorf("got %d people due after stop, want 0", n)
	}
}

// answerAny answers a delivery with its first option, or a few words for a text prompt.
func (s *sim) answerAny(user string, d db.Delivery, p prompts.Prompt) {
	s.t.Helper()
	before := len(s.answers(user))
	if p.Kind == prompts.Text {
		s.emu.SendDM(user, "I set the vision with the team")
	} else if err := s.emu.Click(user, d.ChannelID, d.TS, actionAnswer+":0"); err != nil {
		s.t.Fatal(err)
	}
	s.eventually("the answer", func() bool { return len(s.answers(user)) > before })
	s.settle()
}

// TestE2EContinueQuestion: after four unanswered prompts the bot asks once; "Carry on" brings the
// next prompt.
func TestE2EContinueQuestion(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s := newSim(t, start, slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	monday := time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC)
	for w := range 6 {
		s.clock.Set(monday.AddDate(0, 0, 7*w))
		s.tick()
	}
	var ask slackemu.Message
	for _, m := range s.botDMs("UA") {
		if strings.Contains(m.Text, "haven't answered the last four") {
			ask = m
		}
	}
	if ask.TS == "" || len(s.scheduled("UA")) != 4 {
		t.Fatalf("got %d deliveries and question %q, want 4 and the question", len(s.scheduled("UA")), ask.Text)
	}
	if err := s.emu.Click("UA", ask.Channel, ask.TS, actionContinue+":carry"); err != nil {
		t.Fatal(err)
	}
	s.eventually("the choice", func() bool { return strings.Contains(s.message("UA", ask.TS).Text, "prompts carry on") })
	s.clock.Set(monday.AddDate(0, 0, 7*6))
	s.tick()
	if n := len(s.scheduled("UA")); n != 5 {
		t.Errorf("got %d deliveries after carrying on, want 5", n)
	}
}

// TestE2EPeopleChangeInSlack: DM words start and stop work; a new time zone in the profile moves
// the next prompt; a deleted account is unenrolled; app_uninstalled stops every post.
func TestE2EPeopleChangeInSlack(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s := newSim(t, start,
		slackemu.User{ID: "UA", Name: "ada", TZ: "Europe/London"},
		slackemu.User{ID: "UB", Name: "bo", TZ: "Europe/London"})
	person := func(id string) db.Person {
		p, err := s.store.Person(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	for _, u := range []string{"UA", "UB"} {
		s.emu.SendDM(u, "start")
		s.eventually("the welcome", func() bool {
			for _, m := range s.botDMs(u) {
				if strings.Contains(m.Text, "You're in") {
					return true
				}
			}
			return false
		})
	}
	s.emu.SendDM("UB", "stop")
	s.eventually("the goodbye", func() bool {
		p, err := s.store.Person(context.Background(), "UB")
		return err == nil && p.NextDueAt == nil
	})

	// Ada moves to New York: Monday 9 March 09:00 there is 13:00 UTC (US DST began on the 8th).
	s.emu.UpdateUser(slackemu.User{ID: "UA", Name: "ada", TZ: "America/New_York"})
	want := time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)
	s.eventually("the next prompt to move to 09:00 in New York", func() bool {
		p := person("UA")
		return p.TZ == "America/New_York" && p.NextDueAt != nil && p.NextDueAt.Equal(want)
	})

	// Uninstalled: nothing is sent, not even when due. (The replies so far go out first.)
	s.settle()
	s.emu.Emit("app_uninstalled", map[string]any{})
	s.eventually("sending to stop, and the flag to be recorded", func() bool {
		v, ok, err := s.store.AppState(context.Background(), "sending_stopped")
		return s.app.SendingStopped() && err == nil && ok && v != ""
	})
	s.clock.Set(time.Date(2026, 3, 9, 13, 1, 0, 0, time.UTC))
	if n := s.tick(); n != 0 || len(s.scheduled("UA")) != 0 {
		t.Errorf("got %d people handled and %d deliveries while uninstalled, want none", n, len(s.scheduled("UA")))
	}
}

// TestE2EDeletedAccountIsUnenrolled: user_change with deleted set stops the prompts.
func TestE2EDeletedAccountIsUnenrolled(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	s.emu.UpdateUser(slackemu.User{ID: "UA", Name: "ada", TZ: "UTC", Deleted: true})
	s.eventually("the unenrolment", func() bool {
		e, err := s.store.Enrolments(context.Background(), "UA")
		return err == nil && len(e) == 0
	})
	s.clock.Set(time.Date(2026, 3, 9, 9, 1, 0, 0, time.UTC))
	if n := s.tick(); n != 0 {
		t.Errorf("got %d people due after the account was deleted, want 0", n)
	}
}

// TestE2EForeignMessageButtons: a button payload whose message is someone else's (forged, or
// replayed from another conversation) changes nothing, neither the clicker's data nor that
// message, and the clicker is told.
func TestE2EForeignMessageButtons(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s := newSim(t, start, slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"}, slackemu.User{ID: "UB", Name: "bo", TZ: "UTC"})
	s.command("UA", "start")
	s.command("UB", "start")
	s.clock.Set(time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC))
	s.tick()
	da, _ := s.openDelivery("UA")
	db2, pb := s.openDelivery("UB")
	value := func(v slackapp.ActionValue) string {
		enc, err := slackapp.EncodeActionValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return enc
	}
	opt := 0
	if pb.Kind == prompts.Text {
		opt = -1
	}
	tests := []struct {
		name     string
		actionID string
		value    string
	}{
		{"an answer to the clicker's own delivery", actionAnswer + ":0", value(slackapp.ActionValue{DeliveryID: db2.ID, HasOption: opt >= 0, Option: max(opt, 0)})},
		{"an answer naming the other's delivery", actionAnswer + ":0", value(slackapp.ActionValue{DeliveryID: da.ID, HasOption: true})},
		{"a skip of the clicker's own delivery", actionSkip, value(slackapp.ActionValue{DeliveryID: db2.ID})},
		{"carry on", actionContinue, value(slackapp.ActionValue{Arg: "stop"})},
		{"forget cancelled", actionForgetCancel, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.message("UA", da.TS).Text
			var replied string
			forged := slackapp.ActionRequest{UserID: "UB", ChannelID: da.ChannelID, MessageTS: da.TS, ActionID: tt.actionID, Value: tt.value}.
				WithReply(func(_ context.Context, m slackapp.Message) error { replied = m.Text; return nil })
			if err := s.app.ActionHandlerFor(tt.actionID)(context.Background(), forged); err != nil {
				t.Fatal(err)
			}
			s.settle()
			if got := s.message("UA", da.TS).Text; got != before {
				t.Errorf("UA's prompt changed to %q", got)
			}
			if n := len(s.answers("UB")); n != 0 {
				t.Errorf("UB has %d answers, want none", n)
			}
			d, err := s.store.Delivery(context.Background(), "UB", db2.ID)
			if err != nil || d.State != db2.State {
				t.Errorf("UB's delivery is %q (%v), want %q", d.State, err, db2.State)
			}
			if s.nextDue("UB") == nil {
				t.Error("UB was stopped")
			}
			if !strings.Contains(replied, "nothing was") && !strings.Contains(replied, "Nothing was") {
				t.Errorf("reply %q does not say nothing was changed", replied)
			}
		})
	}
}
