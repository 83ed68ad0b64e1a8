package slackapp

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// waitLimit bounds every wait in these tests; the operations themselves take milliseconds.
const waitLimit = 10 * time.Second

// harness runs the real App, with the real slack-go client, against the emulator and a real
// SQLite store.
type harness struct {
	t     *testing.T
	emu   *slackemu.Server
	store *db.Store
	url   string // the store's database, for a second relay or claimer
	app   *App
	logs  *testkit.LogBuffer
	stop  func()
}

type harnessConfig struct {
	emuOpts []slackemu.Option
	appOpts []Option
	setup   func(a *App)
}

func startHarness(t *testing.T, hc harnessConfig) *harness {
	t.Helper()
	emu := slackemu.New(append([]slackemu.Option{slackemu.WithT(t), slackemu.WithPingInterval(100 * time.Millisecond)}, hc.emuOpts...)...)
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: "U1", Name: "ada", RealName: "Ada Lovelace", TZ: "Europe/London"})
	emu.AddChannel(slackemu.Channel{ID: "C1", Name: "leads", Creator: "U1", Members: []string{"U1", emu.BotUserID()}})
	url := testkit.DatabaseURL(t)
	store, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	logs := &testkit.LogBuffer{}
	app, err := New(Config{
		BotToken: emu.BotToken(), AppToken: emu.AppToken(), APIURL: emu.APIURL(), SlashCommand: "/reflect",
		// slack-go reconnects when no ping came for PingInterval; 2 s keeps a busy -race run from
		// reconnecting mid-test (a slash command is not redelivered) while a stall is still seen.
		PingInterval: 2 * time.Second, DrainTimeout: 2 * time.Second,
	}, store, store, testkit.NewLogger(logs), append([]Option{WithCallTimeout(time.Second), WithOutboxRetry(50 * time.Millisecond)}, hc.appOpts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	withTestFallbacks(app)
	if hc.setup != nil {
		hc.setup(app)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	h := &harness{t: t, emu: emu, store: store, url: url, app: app, logs: logs}
	var stopped atomic.Bool
	h.stop = func() {
		if !stopped.CompareAndSwap(false, true) {
			return
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v after cancel, want nil", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Run did not return within %s of cancel", waitLimit)
		}
		testkit.AssertNotLogged(t, logs, emu.BotToken(), emu.AppToken())
	}
	t.Cleanup(h.stop)
	h.eventually("connected", func() bool { return app.Connected() && emu.Connections() == 1 })
	return h
}

// eventually polls cond until it holds or the wait limit passes.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			h.t.Fatalf("gave up waiting for %s; stats %+v", what, h.app.Stats())
		case <-tick.C:
		}
	}
}

// botDMs are the bot's non-ephemeral messages in U1's DM.
func (h *harness) botDMs() []slackemu.Message {
	var out []slackemu.Message
	for _, m := range h.emu.DMs("U1") {
		if m.BotID != "" && !m.Ephemeral {
			out = append(out, m)
		}
	}
	return out
}

// ephemerals are the private messages U1 saw in a channel.
func (h *harness) ephemerals(channel string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range h.emu.Messages(channel) {
		if m.Ephemeral && m.To == "U1" {
			out = append(out, m)
		}
	}
	return out
}

func (h *harness) outboxDepth() int {
	n, err := h.store.OutboxDepth(context.Background())
	if err != nil {
		h.t.Fatalf("outbox depth: %v", err)
	}
	return n
}

func (h *harness) enrol(userID string) {
	if err := h.store.UpsertPerson(context.Background(), db.Person{UserID: userID, TeamID: slackemu.TeamID}); err != nil {
		h.t.Fatalf("upsert person: %v", err)
	}
}

func TestE2ERedeliveredEventHandledOnce(t *testing.T) {
	// Acks later than the ack window make the emulator redeliver, as Slack does when an ack is
	// lost or late (after about 3 seconds).
	h := startHarness(t, harnessConfig{
		emuOpts: []slackemu.Option{slackemu.WithAckTimeout(5 * time.Millisecond)},
		setup:   func(a *App) { a.beforeAck = func() { time.Sleep(30 * time.Millisecond) } },
	})
	h.emu.SendDM("U1", "hi")
	h.eventually("the reply", func() bool { return len(h.botDMs()) == 1 })
	h.eventually("a redelivery to be dropped", func() bool { return h.app.Stats().Duplicates >= 1 })
	h.eventually("every delivery to be acked", func() bool { return h.emu.Unacked() == 0 })
	h.eventually("the outbox to empty", func() bool { return h.outboxDepth() == 0 })
	if got := len(h.botDMs()); got != 1 {
		t.Errorf("got %d replies to one DM (%d redeliveries), want 1", got, h.emu.Redeliveries())
	}
	t.Logf("%d redeliveries, %d duplicates dropped", h.emu.Redeliveries(), h.app.Stats().Duplicates)
}

func TestE2ERateLimitIsObeyed(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	h.emu.FailNext("chat.postMessage", 1, slackemu.Fault{Kind: slackemu.FaultRateLimit})
	h.emu.SendDM("U1", "hello")
	h.eventually("the reply after the rate limit", func() bool { return len(h.botDMs()) == 1 })
	st := h.app.Stats()
	if st.RateLimited != 1 || st.OutboxRetried != 1 {
		t.Errorf("got %d rate limits and %d retries, want 1 and 1", st.RateLimited, st.OutboxRetried)
	}
	if got := h.emu.Calls("chat.postMessage"); got != 2 {
		t.Errorf("got %d chat.postMessage calls, want 2 (the limited one, then one after Retry-After)", got)
	}
	// A 429 means the post did not land: the retry posts without looking for it first.
	if got := h.emu.Calls("conversations.history"); got != 0 {
		t.Errorf("got %d conversations.history calls, want 0", got)
	}
}

func TestE2ESurvivesConnectionLoss(t *testing.T) {
	tests := []struct {
		name string
		lose func(emu *slackemu.Server)
		opts []slackemu.Option
		// A slash command written into a dead socket is lost on Slack too (it is not retried;
		// the person sees an error), so only events are required to survive a half-open socket.
		eventsOnly bool
	}{
		{name: "disconnect warning", lose: func(e *slackemu.Server) { e.Disconnect("warning") }},
		{name: "disconnect refresh_requested", lose: func(e *slackemu.Server) { e.Disconnect("refresh_requested") }},
		{name: "disconnect link_disabled", lose: func(e *slackemu.Server) { e.Disconnect("link_disabled") }},
		{name: "dropped socket", lose: func(e *slackemu.Server) { e.DropConnections() }},
		{
			// A half-open socket shows only as missing PINGs; slack-go's ping timeout catches it and
			// the envelope swallowed meanwhile is redelivered after the ack timeout.
			name: "half-open socket", lose: func(e *slackemu.Server) { e.Stall(3 * time.Second) },
			opts:       []slackemu.Option{slackemu.WithAckTimeout(700 * time.Millisecond)},
			eventsOnly: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHarness(t, harnessConfig{emuOpts: tt.opts})
			tt.lose(h.emu)
			// Sent at once, while the connection is going or gone: it must not be lost.
			if !tt.eventsOnly {
				h.emu.SlashCommand("U1", "C1", "help")
			}
			h.emu.SendDM("U1", "hello")
			h.eventually("the DM reply", func() bool { return len(h.botDMs()) == 1 })
			h.eventually("a new connection", func() bool { return h.emu.ConnectCount() >= 2 && h.app.Connected() })
			if tt.eventsOnly {
				h.emu.SlashCommand("U1", "C1", "help")
			}
			h.eventually("the command reply", func() bool { return len(h.ephemerals("C1")) == 1 })
			if got := h.app.Stats().Connects; got < 2 {
				t.Errorf("got %d connects, want at least 2", got)
			}
		})
	}
}

func TestE2EReconnectsAfterFailedOpens(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	h.emu.FailNext("apps.connections.open", 2, slackemu.Fault{Kind: slackemu.FaultHTTP500})
	h.emu.DropConnections()
	h.emu.SendDM("U1", "are you there?")
	h.eventually("the reply after reconnecting", func() bool { return len(h.botDMs()) == 1 })
	if got := h.emu.Calls("apps.connections.open"); got < 3 {
		t.Errorf("got %d apps.connections.open calls, want at least 3 (two failures, then success)", got)
	}
	if !strings.Contains(h.logs.String(), "reconnecting") {
		t.Errorf("got no reconnect warning in the logs, want one")
	}
}

func TestE2EHandlerPanicIsSurvived(t *testing.T) {
	h := startHarness(t, harnessConfig{setup: func(a *App) {
		a.HandleCommand("prompt", func(context.Context, CommandRequest) error { panic("prompt exploded") })
		a.HandleAction("boom", func(context.Context, ActionRequest) error { panic("button exploded") })
		a.HandleDM(func(context.Context, DM) (bool, error) { panic("dm exploded") })
	}})
	h.emu.SlashCommand("U1", "C1", "prompt")
	h.eventually("the apology", func() bool { return len(h.ephemerals("C1")) == 1 })
	if got := h.ephemerals("C1")[0].Text; !strings.Contains(got, "Sorry") {
		t.Errorf("got %q, want an apology", got)
	}

	h.emu.SendDM("U1", "my answer")
	h.eventually("the DM apology", func() bool { return len(h.botDMs()) == 1 })
	if got := h.botDMs()[0].Text; !strings.Contains(got, "Sorry") {
		t.Errorf("got %q, want an apology by DM", got)
	}

	// A message with a button, then a click on it.
	h.enrol("U1")
	btn := slack.NewButtonBlockElement("boom:1", "d=1", slack.NewTextBlockObject(slack.PlainTextType, "Press", false, false))
	if err := h.app.SendDM(context.Background(), "U1", Message{Text: "press it", Blocks: []slack.Block{
		slack.NewActionBlock("actions", btn),
	}}); err != nil {
		t.Fatal(err)
	}
	h.eventually("the message with a button", func() bool { return len(h.botDMs()) == 2 })
	dm := h.emu.DMChannel("U1")
	if err := h.emu.Click("U1", dm, h.botDMs()[1].TS, "boom:1"); err != nil {
		t.Fatalf("click: %v", err)
	}
	h.eventually("the ephemeral apology", func() bool { return len(h.ephemerals(dm)) == 1 })

	// Still alive.
	h.emu.SlashCommand("U1", "C1", "help")
	h.eventually("help after the panics", func() bool { return len(h.ephemerals("C1")) == 2 })
	if got := h.app.Stats().Panics; got != 3 {
		t.Errorf("got %d panics, want 3", got)
	}
	testkit.AssertNotLogged(t, h.logs, "my answer", "prompt exploded", "button exploded", "dm exploded")
}

func TestE2EOutboxAmbiguousFailures(t *testing.T) {
	tests := []struct {
		name           string
		fault          slackemu.Fault
		wantPosts      int   // chat.postMessage calls
		wantReconciled int64 // found by conversations.history instead of posting again
	}{
		{name: "timeout after landing", fault: slackemu.Fault{Kind: slackemu.FaultTimeout, Applied: true}, wantPosts: 1, wantReconciled: 1},
		{name: "reset after landing", fault: slackemu.Fault{Kind: slackemu.FaultReset, Applied: true}, wantPosts: 1, wantReconciled: 1},
		{name: "500 after landing", fault: slackemu.Fault{Kind: slackemu.FaultHTTP500, Applied: true}, wantPosts: 1, wantReconciled: 1},
		{name: "timeout before landing", fault: slackemu.Fault{Kind: slackemu.FaultTimeout}, wantPosts: 2},
		{name: "reset before landing", fault: slackemu.Fault{Kind: slackemu.FaultReset}, wantPosts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHarness(t, harnessConfig{})
			h.enrol("U1")
			h.emu.FailNext("chat.postMessage", 1, tt.fault)
			if err := h.app.SendDM(context.Background(), "U1", Message{Text: "your weekly prompt"}); err != nil {
				t.Fatal(err)
			}
			h.eventually("the post to be recorded", func() bool {
				st := h.app.Stats()
				return st.OutboxSent+st.OutboxReconciled == 1 && h.outboxDepth() == 0
			})
			got := h.botDMs()
			if len(got) != 1 || got[0].Text != "your weekly prompt" {
				t.Fatalf("got %d bot messages %+v, want the prompt exactly once", len(got), got)
			}
			st := h.app.Stats()
			if st.OutboxReconciled != tt.wantReconciled {
				t.Errorf("got %d reconciled, want %d", st.OutboxReconciled, tt.wantReconciled)
			}
			if got := h.emu.Calls("chat.postMessage"); got != tt.wantPosts {
				t.Errorf("got %d chat.postMessage calls, want %d", got, tt.wantPosts)
			}
			if h.emu.Calls("conversations.history") < 1 {
				t.Errorf("got no conversations.history call, want the retry to look first")
			}
		})
	}
}

func TestE2EOutboxPermanentErrorFails(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	if _, err := h.store.Enqueue(context.Background(), db.OutboxMessage{ChannelID: "C404", Kind: db.KindMessage, Payload: []byte(`{"text":"hi"}`)}); err != nil {
		t.Fatal(err)
	}
	h.app.Notify()
	h.eventually("the item to fail", func() bool { return h.app.Stats().OutboxFailed == 1 })
	if d := h.outboxDepth(); d != 0 {
		t.Errorf("got outbox depth %d, want 0 (failed, not retried)", d)
	}
	if got := h.emu.Calls("chat.postMessage"); got != 1 {
		t.Errorf("got %d chat.postMessage calls, want 1", got)
	}
}

func TestE2EUnknownEventTypeIsAckedAndRouted(t *testing.T) {
	var got atomic.Value
	h := startHarness(t, harnessConfig{setup: func(a *App) {
		a.HandleEvent("brand_new_event", func(ctx context.Context, ev Event) error {
			got.Store(ev.UserID)
			return nil
		})
	}})
	h.emu.Emit("brand_new_event", map[string]any{"user": "U1"})
	h.eventually("the handler", func() bool { return got.Load() == "U1" })
	h.eventually("the ack", func() bool { return h.emu.Unacked() == 0 })
}

func TestE2EEveryEnvelopeAckedQuickly(t *testing.T) {
	h := startHarness(t, harnessConfig{setup: func(a *App) {
		a.HandleEvent("app_home_opened", func(ctx context.Context, ev Event) error {
			time.Sleep(50 * time.Millisecond) // a slow handler must not hold up acks
			return nil
		})
	}})
	const rounds = 20
	for range rounds {
		h.emu.SlashCommand("U1", "C1", "help")
		h.emu.SendDM("U1", "hello")
		h.emu.OpenHome("U1")
	}
	h.eventually("every reply", func() bool { return len(h.ephemerals("C1")) == rounds && len(h.botDMs()) == rounds })
	h.eventually("every ack", func() bool { return h.emu.Unacked() == 0 })
	lat := h.emu.AckLatencies()
	if len(lat) < 3*rounds {
		t.Fatalf("got %d acks, want at least %d", len(lat), 3*rounds)
	}
	slices.Sort(lat)
	t.Logf("acks: %d, p50 %s, p99 %s, max %s", len(lat), lat[len(lat)/2], lat[(len(lat)*99)/100], lat[len(lat)-1])
}

func TestE2ERunReturnsSoonAfterCancel(t *testing.T) {
	h := startHarness(t, harnessConfig{setup: func(a *App) {
		a.HandleCommand("prompt", func(ctx context.Context, req CommandRequest) error {
			<-ctx.Done() // a handler stuck until cancelled: the drain must bound it
			return ctx.Err()
		})
	}})
	h.emu.SlashCommand("U1", "C1", "prompt")
	h.eventually("the handler to start", func() bool { return h.app.Stats().Handled >= 1 })
	h.stop() // fails the test if Run does not return nil in time
	if h.app.Connected() {
		t.Errorf("got Connected() = true after Run returned, want false")
	}
}

func TestE2EBadTokens(t *testing.T) {
	tests := []struct {
		name          string
		bot, app      string
		wantMention   string
		mustNotQuote  string
		wantConnected bool
	}{
		{name: "bot token", bot: "xoxb-not-valid", wantMention: "SLACK_BOT_TOKEN", mustNotQuote: "xoxb-not-valid"},
		{name: "app token", app: "xapp-not-valid", wantMention: "SLACK_APP_TOKEN", mustNotQuote: "xapp-not-valid"},
		{name: "bot token given as app token", app: "BOT", wantMention: "SLACK_APP_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := slackemu.New(slackemu.WithT(t))
			t.Cleanup(emu.Close)
			cfg := Config{BotToken: emu.BotToken(), AppToken: emu.AppToken(), APIURL: emu.APIURL(), SlashCommand: "/reflect"}
			if tt.bot != "" {
				cfg.BotToken = tt.bot
			}
			if tt.app != "" {
				cfg.AppToken = tt.app
			}
			if tt.app == "BOT" {
				cfg.AppToken = emu.BotToken()
				tt.mustNotQuote = emu.BotToken()
			}
			store := testkit.OpenStore(t)
			var logs testkit.LogBuffer
			app, err := New(cfg, store, store, testkit.NewLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			err = app.Run(ctx)
			if err == nil || ctx.Err() != nil {
				t.Fatalf("Run = %v (ctx %v), want an error before the deadline", err, ctx.Err())
			}
			if !strings.Contains(err.Error(), tt.wantMention) {
				t.Errorf("got error %q, want it to name %s", err, tt.wantMention)
			}
			if strings.Contains(err.Error(), tt.mustNotQuote) {
				t.Errorf("got error %q, want it not to quote the token", err)
			}
			testkit.AssertNotLogged(t, &logs, tt.mustNotQuote)
		})
	}
}

func TestE2ERunTwiceIsRefused(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	err := h.app.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Run = %v, want an already-running error", err)
	}
}
