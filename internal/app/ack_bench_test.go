package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// Ack benchmark shape: bursts of ackRate envelopes a second for ackBurst envelopes, alternating
// between the bare slack-go acker and the bot ackRounds times each, against one emulator.
const (
	ackRate        = 500
	ackBurst       = 1500 // 3 s at 500/s
	ackRounds      = 2
	ackBurstShort  = 100
	ackRoundsShort = 1
	ackPeople      = 50
)

// BenchmarkAckLatency sends bursts of slash commands, DMs (message.im events) and app_home_opened
// events, in turn, at 500 envelopes a second through the emulator's Socket Mode, first to a bare
// slack-go program that only acks (socketmode.New and a loop that acks every request), then to
// the bot (the App with the weekly, results and assessment handlers on a real SQLite store, as
// cmd/bot wires it), alternating twice, in the same process against the same emulator. The
// latency is the emulator's: from the envelope being handed to its socket writer to its ack being
// read back (slackemu.AckLatencies). It reports p50 and p99 for both and their ratio.
//
//	go test -run '^$' -bench AckLatency -benchtime 1x ./internal/slackapp/
func BenchmarkAckLatency(b *testing.B) {
	burst, rounds := ackBurst, ackRounds
	if testing.Short() {
		burst, rounds = ackBurstShort, ackRoundsShort
	}
	var bare, bot, inBot []time.Duration
	for range b.N {
		b.StopTimer()
		emu := slackemu.New(slackemu.WithT(b))
		b.Cleanup(emu.Close)
		users := []slackemu.User{{ID: "ULEAD", Name: "lead", TZ: "UTC"}}
		for i := range ackPeople {
			users = append(users, slackemu.User{ID: fmt.Sprintf("UA%03d", i), Name: fmt.Sprintf("a%d", i), TZ: "UTC"})
		}
		for _, u := range users {
			emu.AddUser(u)
		}
		dbPath := filepath.Join(b.TempDir(), "reflect.db")
		b.StartTimer()
		for r := range rounds {
			stopBare := startBareAcker(b, emu)
			lat := ackBurstAt(b, emu, users[1:], burst)
			stopBare()
			bare = append(bare, lat...)
			b.Logf("round %d bare: %s", r+1, describeLatencies(lat))

			bot1 := startAckBot(b, emu, dbPath)
			lat = ackBurstAt(b, emu, users[1:], burst)
			own := bot1.stop()
			bot = append(bot, lat...)
			inBot = append(inBot, own...)
			b.Logf("round %d bot:  %s; inside the bot (read to ack written): %s", r+1, describeLatencies(lat), describeLatencies(own))
		}
		if v := emu.Violations(); len(v) > 0 {
			b.Fatalf("emulator violations: %v", v)
		}
	}
	slices.Sort(bare)
	slices.Sort(bot)
	p := func(lat []time.Duration, q int) float64 {
		return float64(lat[min(len(lat)-1, len(lat)*q/100)].Microseconds()) / 1000
	}
	b.ReportMetric(p(bare, 50), "bare-p50-ms")
	b.ReportMetric(p(bare, 99), "bare-p99-ms")
	b.ReportMetric(p(bot, 50), "bot-p50-ms")
	b.ReportMetric(p(bot, 99), "bot-p99-ms")
	b.ReportMetric(float64(bot[len(bot)-1].Microseconds())/1000, "bot-max-ms")
	b.ReportMetric(p(bot, 99)/p(bare, 99), "p99-ratio")
	slices.Sort(inBot)
	b.ReportMetric(p(inBot, 99), "inbot-p99-ms")
	b.Logf("all rounds: bare %s; bot %s; inside the bot %s", describeLatencies(bare), describeLatencies(bot), describeLatencies(inBot))
}

// ackBurstAt sends n envelopes at ackRate a second (a slash command, a DM, an app_home_opened,
// in turn, from people in turn), waits for every ack and returns their latencies.
func ackBurstAt(b *testing.B, emu *slackemu.Server, people []slackemu.User, n int) []time.Duration {
	b.Helper()
	before := len(emu.AckLatencies())
	interval := time.Second / ackRate
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		u := people[i%len(people)].ID
		switch i % 3 {
		case 0:
			emu.SlashCommand(u, "", "help")
		case 1:
			emu.SendDM(u, "hello")
		case 2:
			emu.OpenHome(u)
		}
	}
	sent := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := emu.WaitFor(ctx, func() bool { return len(emu.AckLatencies())-before >= n && emu.Unacked() == 0 }); err != nil {
		b.Fatalf("waiting for %d acks: %v (got %d)", n, err, len(emu.AckLatencies())-before)
	}
	if rate := float64(n) / sent.Seconds(); rate < 0.9*ackRate {
		b.Logf("sent at %.0f/s only, want %d/s: the machine is too busy to pace the burst", rate, ackRate)
	}
	return emu.AckLatencies()[before:]
}

// ackBot is the bot as cmd/bot wires it (weekly prompts, results, assessment on a real SQLite
// store, JSON logs at info level), on the real clock.
type ackBot struct {
	b      *testing.B
	emu    *slackemu.Server
	store  *db.Store
	app    *slackapp.App
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	acks   []time.Duration // the bot's own view: envelope read off the socket to ack written
}

func startAckBot(b *testing.B, emu *slackemu.Server, dbPath string) *ackBot {
	b.Helper()
	store, err := db.Open(context.Background(), dbPath)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := prompts.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	bot := &ackBot{b: b, emu: emu, store: store, done: make(chan error, 1)}
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := config.Config{BotToken: config.Secret(emu.BotToken()), AppToken: config.Secret(emu.AppToken()), APIURL: emu.APIURL(),
		SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON"}
	wired, err := New(cfg, log, store, cat, nil, slackapp.WithAckObserver(func(d time.Duration) {
		bot.mu.Lock()
		bot.acks = append(bot.acks, d)
		bot.mu.Unlock()
	}))
	if err != nil {
		b.Fatal(err)
	}
	// Only the Slack runtime runs: no due loop, so nothing but the requests loads it.
	app := wired.Slack
	ctx, cancel := context.WithCancel(context.Background())
	bot.app, bot.cancel = app, cancel
	go func() { bot.done <- app.Run(ctx) }()
	waitConnections(b, emu, 1)
	return bot
}

// stop waits for the replies to be posted (so they do not load the next turn), stops the bot and
// returns its own ack latencies.
func (bot *ackBot) stop() []time.Duration {
	b := bot.b
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := bot.store.OutboxDepth(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("outbox still holds %d posts after a minute", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	bot.cancel()
	if err := <-bot.done; err != nil {
		b.Errorf("Run returned %v, want nil", err)
	}
	_ = bot.store.Close()
	waitConnections(b, bot.emu, 0)
	bot.mu.Lock()
	defer bot.mu.Unlock()
	return slices.Clone(bot.acks)
}

// startBareAcker connects a minimal slack-go Socket Mode program that acks every request and does
// nothing else, and returns a func that disconnects it.
func startBareAcker(b *testing.B, emu *slackemu.Server) (stop func()) {
	b.Helper()
	api := slack.New(emu.BotToken(), slack.OptionAPIURL(emu.APIURL()), slack.OptionAppLevelToken(emu.AppToken()))
	sm := socketmode.New(api, socketmode.OptionLog(discardLogger{}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() {
		_ = sm.RunContext(ctx)
		done <- struct{}{}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if evt.Request != nil && evt.Request.EnvelopeID != "" {
					_ = sm.Ack(*evt.Request)
				}
			}
		}
	}()
	waitConnections(b, emu, 1)
	return func() {
		cancel()
		<-done
		<-done
		waitConnections(b, emu, 0)
	}
}

func waitConnections(b *testing.B, emu *slackemu.Server, n int) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := emu.WaitFor(ctx, func() bool { return emu.Connections() == n }); err != nil {
		b.Fatalf("waiting for %d Socket Mode connections: %v (have %d)", n, err, emu.Connections())
	}
}

// describeLatencies summarises ack latencies for the benchmark log.
func describeLatencies(lat []time.Duration) string {
	if len(lat) == 0 {
		return "no acks"
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(q int) time.Duration { return s[min(len(s)-1, len(s)*q/100)].Round(time.Microsecond) }
	return fmt.Sprintf("%d acks, p50 %s, p90 %s, p99 %s, max %s", len(s), at(50), at(90), at(99), s[len(s)-1].Round(10*time.Microsecond))
}

// discardLogger swallows slack-go's own logging.
type discardLogger struct{}

// Output drops the line.
func (discardLogger) Output(int, string) error { return nil }
